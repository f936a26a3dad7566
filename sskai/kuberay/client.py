"""KubeRay objects through the Kubernetes Python client: create, read, patch a group's replicas, delete.

``CustomObjectsApi`` is Kubernetes' own client for CRD objects; every body is checked against the
vendored CRD before it is sent, so a mistake is named here rather than as a 422 from the server.
"""

from __future__ import annotations

import time
from typing import Any

from kubernetes import client, config
from kubernetes.client.rest import ApiException

from sskai.errors import ConfigError
from sskai.kuberay import schema

GROUP, VERSION = "ray.io", "v1"
PLURALS = {"RayCluster": "rayclusters", "RayJob": "rayjobs", "RayService": "rayservices"}
POLL_SECONDS = 2.0
JSON_PATCH = "application/json-patch+json"


def api_client(host: str | None = None) -> client.ApiClient:
    """A client for ``host`` (a test's played API server), else the kubeconfig, else the pod's service account."""
    if host:
        configuration = client.Configuration()
        configuration.host = host
        return client.ApiClient(configuration)
    try:
        config.load_kube_config()
    except config.ConfigException:
        try:
            config.load_incluster_config()
        except config.ConfigException as exc:
            raise ConfigError(f"no Kubernetes cluster to reach: no kubeconfig and not in a pod ({exc})") from exc
    return client.ApiClient()


class KubeRayApi:
    """The ray.io objects of one namespace."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.objects = client.CustomObjectsApi(api)
        self.namespace = namespace

    def create(self, manifest: dict[str, Any]) -> dict[str, Any]:
        schema.check(manifest)
        try:
            return self.objects.create_namespaced_custom_object(
                GROUP, VERSION, self.namespace, PLURALS[manifest["kind"]], manifest
            )
        except ApiException as exc:
            raise _named(exc, f"create {manifest['kind']} {manifest['metadata']['name']}") from exc

    def get(self, kind: str, name: str) -> dict[str, Any]:
        try:
            return self.objects.get_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURALS[kind], name)
        except ApiException as exc:
            raise _named(exc, f"read {kind} {name}") from exc

    def patch(self, kind: str, name: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply a JSON patch (RFC 6902: a list of operations). Said so: the client's default is a merge patch."""
        try:
            return self.objects.patch_namespaced_custom_object(
                GROUP, VERSION, self.namespace, PLURALS[kind], name, operations, _content_type=JSON_PATCH
            )
        except ApiException as exc:
            raise _named(exc, f"patch {kind} {name}") from exc

    def set_replicas(self, name: str, replicas: dict[str, int], annotations: dict[str, str] | None = None) -> None:
        """Set worker groups' ``replicas`` (by group name) on RayCluster ``name``, checked against its CRD after."""
        current = self.get("RayCluster", name)
        groups = [g["groupName"] for g in current["spec"].get("workerGroupSpecs", [])]
        unknown = sorted(set(replicas) - set(groups))
        if unknown:
            raise ConfigError(f"RayCluster {name} has no worker group {', '.join(unknown)} (it has {groups})")
        operations: list[dict[str, Any]] = [
            {"op": "replace", "path": f"/spec/workerGroupSpecs/{groups.index(group)}/replicas", "value": count}
            for group, count in replicas.items()
        ]
        if annotations:
            if "annotations" not in current["metadata"]:
                operations.append({"op": "add", "path": "/metadata/annotations", "value": {}})
            operations += [
                {"op": "add", "path": f"/metadata/annotations/{key.replace('~', '~0').replace('/', '~1')}", "value": v}
                for key, v in annotations.items()
            ]
        self.patch("RayCluster", name, operations)

    def delete(self, kind: str, name: str) -> None:
        try:
            self.objects.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURALS[kind], name)
        except ApiException as exc:
            if exc.status != 404:  # already gone is what was asked
                raise _named(exc, f"delete {kind} {name}") from exc

    def wait_for(self, kind: str, name: str, ready: Any, timeout_seconds: float) -> dict[str, Any]:
        """Poll ``kind`` ``name`` until ``ready(obj)`` holds; ConfigError naming its last status on timeout."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            found = self.get(kind, name)
            if ready(found):
                return found
            if time.monotonic() >= deadline:
                status = found.get("status")
                raise ConfigError(f"{kind} {name} not ready after {timeout_seconds:.0f} s: status {status}")
            time.sleep(POLL_SECONDS)


def cluster_ready(found: dict[str, Any]) -> bool:
    return found.get("status", {}).get("state") == "ready"


def _named(exc: ApiException, what: str) -> ConfigError:
    """The API server's refusal in words: its status and its message, not a stack of HTTP headers."""
    reason = exc.reason or ""
    try:
        import json

        reason = json.loads(exc.body or "{}").get("message", reason)
    except (ValueError, AttributeError):
        pass
    return ConfigError(f"could not {what}: the Kubernetes API said {exc.status} {reason}")
