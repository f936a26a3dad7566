"""A local HTTP server that plays the Kubernetes API for what sskai touches: ray.io objects and pods.

What a real API server does for these resources, no more: create (201; 409 if it exists), get,
list, JSON patch and merge patch (the patched object checked again), the ``status`` subresource
(which is how the test plays the KubeRay operator), delete, and pods filtered by node and label.
Every ray.io body is checked against the vendored KubeRay v1.7.0 CRD, read here on its own (not
through sskai's loader), and refused with a 422 ``Status`` naming each problem, as the API server does.
"""

from __future__ import annotations

import copy
import http.server
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jsonpatch
import jsonschema
import yaml

CRDS = Path(__file__).resolve().parents[1] / "infra" / "schema" / "kuberay-crds-v1.7.0"
PLURAL_KINDS = {"rayclusters": "RayCluster", "rayjobs": "RayJob", "rayservices": "RayService"}


def crd_validator(plural: str) -> jsonschema.Draft7Validator:
    crd = yaml.load((CRDS / f"ray.io_{plural}.yaml").read_text(), Loader=yaml.CSafeLoader)
    served = next(v for v in crd["spec"]["versions"] if v["name"] == "v1" and v["served"])
    return jsonschema.Draft7Validator(served["schema"]["openAPIV3Schema"])


class PlayedApi:
    """The server's state: objects by (plural, namespace, name), pods, and every request it answered."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.pods: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.validators = {plural: crd_validator(plural) for plural in PLURAL_KINDS}
        self.versions = itertools.count(1)
        self.lock = threading.Lock()
        self.url = ""

    def problems(self, plural: str, body: dict[str, Any]) -> list[str]:
        if body.get("kind") != PLURAL_KINDS[plural] or body.get("apiVersion") != "ray.io/v1":
            return [f"kind {body.get('kind')!r} apiVersion {body.get('apiVersion')!r} on {plural}"]
        return [
            f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in self.validators[plural].iter_errors(body)
        ]

    def set_status(self, plural: str, namespace: str, name: str, status: dict[str, Any]) -> None:
        """What the operator writes: the object's ``status``."""
        with self.lock:
            self.objects[(plural, namespace, name)]["status"] = status


def _merge(target: Any, patch: Any) -> Any:
    """RFC 7386 merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }


def _handler(state: PlayedApi) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            state.requests.append((self.command, urlparse(self.path).path, code))

        def _body(self) -> Any:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")

        def _route(self) -> tuple[str, str, str | None, bool] | None:
            """(plural, namespace, name, status subresource) of a ray.io path."""
            parts = urlparse(self.path).path.strip("/").split("/")
            if parts[:3] != ["apis", "ray.io", "v1"] or len(parts) < 6 or parts[3] != "namespaces":
                return None
            namespace, plural = parts[4], parts[5]
            if plural not in PLURAL_KINDS:
                return None
            name = parts[6] if len(parts) > 6 else None
            return plural, namespace, name, len(parts) > 7 and parts[7] == "status"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            parts = url.path.strip("/").split("/")
            if parts[:2] == ["api", "v1"] and parts[-1] == "pods":
                return self._pods(parts[3] if len(parts) > 4 else None, parse_qs(url.query))
            route = self._route()
            if route is None:
                return self._send(404, _status(404, "NotFound", f"no such resource {url.path}"))
            plural, namespace, name, _ = route
            with state.lock:
                if name is None:
                    items = [o for (p, ns, _), o in state.objects.items() if p == plural and ns == namespace]
                    return self._send(200, {"kind": f"{PLURAL_KINDS[plural]}List", "items": items})
                found = state.objects.get((plural, namespace, name))
            if found is None:
                return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found'))
            self._send(200, found)

        def do_POST(self) -> None:
            route = self._route()
            if route is None or route[2] is not None:
                return self._send(404, _status(404, "NotFound", self.path))
            plural, namespace, _, _ = route
            body = self._body()
            problems = state.problems(plural, body)
            if problems:
                return self._send(422, _status(422, "Invalid", "; ".join(problems)))
            name = body["metadata"]["name"]
            with state.lock:
                if (plural, namespace, name) in state.objects:
                    return self._send(409, _status(409, "AlreadyExists", f'{plural} "{name}" already exists'))
                body["metadata"] |= {"namespace": namespace, "resourceVersion": str(next(state.versions))}
                state.objects[(plural, namespace, name)] = body
            self._send(201, body)

        def do_PATCH(self) -> None:
            route = self._route()
            if route is None or route[2] is None:
                return self._send(404, _status(404, "NotFound", self.path))
            plural, namespace, name, status = route
            patch = self._body()
            kind = self.headers.get("Content-Type", "")
            with state.lock:
                found = state.objects.get((plural, namespace, name))
                if found is None:
                    return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found'))
                try:
                    if "json-patch" in kind:
                        patched = jsonpatch.apply_patch(copy.deepcopy(found), patch)
                    elif "merge-patch" in kind:
                        patched = _merge(found, patch)
                    else:
                        return self._send(415, _status(415, "UnsupportedMediaType", kind))
                except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                    return self._send(422, _status(422, "Invalid", str(exc)))
                if status:  # the status subresource changes the status and nothing else
                    patched = {**found, "status": patched.get("status", {})}
                elif "status" in found:
                    patched["status"] = found["status"]
                problems = state.problems(plural, patched)
                if problems:
                    return self._send(422, _status(422, "Invalid", "; ".join(problems)))
                patched["metadata"]["resourceVersion"] = str(next(state.versions))
                state.objects[(plural, namespace, name)] = patched
            self._send(200, patched)

        def do_DELETE(self) -> None:
            route = self._route()
            if route is None or route[2] is None:
                return self._send(404, _status(404, "NotFound", self.path))
            plural, namespace, name, _ = route
            with state.lock:
                gone = state.objects.pop((plural, namespace, name), None)
            if gone is None:
                return self._send(404, _status(404, "NotFound", f'{plural} "{name}" not found'))
            self._send(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

        def _pods(self, namespace: str | None, query: dict[str, list[str]]) -> None:
            selected = [p for p in state.pods if namespace is None or p["metadata"]["namespace"] == namespace]
            for rule in query.get("fieldSelector", []):
                key, _, value = rule.partition("=")
                if key == "spec.nodeName":
                    selected = [p for p in selected if p["spec"].get("nodeName") == value]
            for rule in query.get("labelSelector", []):
                key, _, value = rule.partition("=")
                selected = [p for p in selected if p["metadata"].get("labels", {}).get(key) == value]
            self._send(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": selected})

    return Handler


@contextmanager
def played_kubernetes_api() -> Iterator[PlayedApi]:
    state = PlayedApi()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
