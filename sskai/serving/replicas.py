"""The ``replicas`` serving target: replica endpoint processes behind a router, on this machine.

The embedded stand-in for spot replicas: each replica is a full endpoint process (sandboxed
workers, batching, its own key check) and the router (:mod:`sskai.serving.router`) is the URL. A
preemption with notice drains its replica (no new requests; what is in flight finishes) before it
ends; one without notice is retried by the router on another replica; either way a replacement
starts and joins. New weights reach one replica at a time, each without a failed request.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict

from sskai.bundles.spec import ModelSpec
from sskai.errors import EndpointError
from sskai.processes import is_alive, kill_session, wait_gone
from sskai.serving import process
from sskai.serving.router import REPLICAS_FILE, Replica, ReplicaSet
from sskai.serving.targets import EndpointLaunch, RunningEndpoint, ServingTarget
from sskai.store.metadata import Endpoint

LAUNCH_FILE = "replica-launch.json"  # what starting one more replica needs, beside replicas.json
ROUTER_LOG = "router.log"


class ReplicaLaunch(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    bundle_dir: str
    spec: ModelSpec
    weights: str | None
    api_key_sha256: str
    limits: process.EndpointLimits


def _facts(folder: Path) -> ReplicaLaunch:
    return ReplicaLaunch.model_validate_json((folder / LAUNCH_FILE).read_text())


def _save_facts(folder: Path, facts: ReplicaLaunch) -> None:
    (folder / LAUNCH_FILE).write_text(facts.model_dump_json())


def _recorded(folder: Path) -> tuple[Replica, ...]:
    """The replica set as last published; none before the first (or after the folder is gone)."""
    return ReplicaSet.read(folder).replicas if (folder / REPLICAS_FILE).exists() else ()


def _named(folder: Path, endpoint: Endpoint, replica_name: str) -> Replica:
    taken = next((r for r in ReplicaSet.read(folder).replicas if r.name == replica_name), None)
    if taken is None:
        raise EndpointError(f"endpoint {endpoint.name} has no replica {replica_name}")
    return taken


class ReplicatedTarget(ServingTarget, name="replicas"):
    """``SSKAI_ENDPOINT_REPLICAS`` endpoint processes behind one router."""

    def folder(self, endpoint_id: str) -> Path:
        return self.settings.endpoints_dir / endpoint_id

    def start(self, launch: EndpointLaunch) -> RunningEndpoint:
        if not launch.endpoint_id:
            raise EndpointError("a replicated endpoint needs its record's id (deploy it with `sskai deploy`)")
        folder = self.folder(launch.endpoint_id)
        folder.mkdir(parents=True, exist_ok=True)
        facts = ReplicaLaunch(
            name=launch.name,
            bundle_dir=str(launch.bundle_dir),
            spec=launch.spec,
            weights=str(launch.weights) if launch.weights else None,
            api_key_sha256=launch.api_key_sha256,
            limits=launch.limits,
        )
        _save_facts(folder, facts)
        # A restart (the router died): the replicas still serving are kept, on their pools.
        kept = [r for r in _recorded(folder) if r.pid is not None and is_alive(r.pid)]
        replicas = []
        try:
            for _ in range(max(0, self.settings.endpoint_replicas - len(kept))):
                replicas.append(_start_replica(folder, facts))
            ReplicaSet(replicas=(*kept, *replicas)).write(folder)
            port = launch.port or process.free_port()
            router = _start_router(folder, port)
        except Exception:
            for replica in replicas:
                _end(replica)
            raise
        return RunningEndpoint(url=f"http://127.0.0.1:{port}", pid=router)

    def heal(self, endpoint: Endpoint) -> list[str]:
        """A replica whose process died (a crash, the OOM killer) is replaced on its pool, as after a
        preemption without notice: the router has sent its requests elsewhere meanwhile."""
        lines = []
        for replica in _recorded(self.folder(endpoint.id)):
            if replica.state == "ready" and (replica.pid is None or not is_alive(replica.pid)):
                replacement = self.preempt(endpoint, replica.name, notice_seconds=None)
                lines.append(
                    f"replica {replica.name} on {replica.pool or 'this machine'} died; replaced by {replacement.name}"
                )
        return lines

    def stop(self, endpoint: Endpoint) -> None:
        if endpoint.pid and is_alive(endpoint.pid):
            process.stop_endpoint(endpoint.pid)
        for replica in _recorded(self.folder(endpoint.id)):
            _end(replica)

    def is_alive(self, endpoint: Endpoint) -> bool:
        return is_alive(endpoint.pid)

    def billed_replicas(self, endpoint: Endpoint) -> tuple[str, ...]:
        """Every replica in the router's set (draining ones too: their node is still paid for)."""
        return tuple(replica.name for replica in _recorded(self.folder(endpoint.id)))

    def swap_weights(self, endpoint: Endpoint, weights: Path) -> None:
        """One replica at a time, each without a failed request (the endpoint's own reload)."""
        folder = self.folder(endpoint.id)
        for replica in ReplicaSet.read(folder).replicas:
            if replica.pid is None or not is_alive(replica.pid):
                raise EndpointError(f"replica {replica.name} of endpoint {endpoint.name} is not running")
            process.reload_endpoint(replica.pid, folder / replica.name, weights)
        _save_facts(folder, _facts(folder).model_copy(update={"weights": str(weights)}))

    def change_key(self, endpoint: Endpoint, launch: EndpointLaunch) -> RunningEndpoint:
        """Replica by replica: each replaced by one checking the new hash, drained first; no request is cut."""
        folder = self.folder(endpoint.id)
        _save_facts(folder, _facts(folder).model_copy(update={"api_key_sha256": launch.api_key_sha256}))
        for replica in ReplicaSet.read(folder).replicas:
            self.preempt(endpoint, replica.name, notice_seconds=launch.limits.timeout_seconds)
        return RunningEndpoint(url=endpoint.url or "", pid=endpoint.pid)

    def add_replica(self, endpoint: Endpoint, pool: str) -> Replica:
        """One more replica, on ``pool`` (where the fleet placed it), routed to once it answers."""
        folder = self.folder(endpoint.id)
        added = _start_replica(folder, _facts(folder)).model_copy(update={"pool": pool})
        self._publish(endpoint, ReplicaSet(replicas=(*ReplicaSet.read(folder).replicas, added)))
        return added

    def retire(self, endpoint: Endpoint, replica_name: str, notice_seconds: float | None) -> None:
        """End a replica: with a notice, drained first (no new requests, what it holds finishes)."""
        folder = self.folder(endpoint.id)
        taken = _named(folder, endpoint, replica_name)
        if notice_seconds is not None:
            current = ReplicaSet.read(folder).replicas
            draining = tuple(r.model_copy(update={"state": "draining"}) if r == taken else r for r in current)
            self._publish(endpoint, ReplicaSet(replicas=draining))
            _wait_drained(endpoint.url, replica_name, time.monotonic() + notice_seconds)
        _end(taken)
        survivors = tuple(r for r in ReplicaSet.read(folder).replicas if r.name != replica_name)
        self._publish(endpoint, ReplicaSet(replicas=survivors))

    def preempt(self, endpoint: Endpoint, replica_name: str, notice_seconds: float | None) -> Replica:
        """A replica's instance is taken: with a notice, drain it first; either way, start its replacement.

        Returns the replacement. The router stops routing to a drained replica at once (SIGHUP) and
        lets what it sent finish until the notice runs out.
        """
        folder = self.folder(endpoint.id)
        taken = _named(folder, endpoint, replica_name)
        if notice_seconds is not None:
            self.retire(endpoint, replica_name, notice_seconds)
            return self.add_replica(endpoint, taken.pool)
        # Without a notice it is simply gone: the router learns of it from the requests that fail there
        # (and sends them elsewhere) until the set with its replacement is published.
        _end(taken)
        replacement = _start_replica(folder, _facts(folder)).model_copy(update={"pool": taken.pool})
        survivors = tuple(r for r in ReplicaSet.read(folder).replicas if r.name != replica_name)
        self._publish(endpoint, ReplicaSet(replicas=(*survivors, replacement)))
        return replacement

    def _publish(self, endpoint: Endpoint, replicas: ReplicaSet) -> None:
        replicas.write(self.folder(endpoint.id))
        if endpoint.pid and is_alive(endpoint.pid):
            os.kill(endpoint.pid, signal.SIGHUP)


def _start_replica(folder: Path, facts: ReplicaLaunch) -> Replica:
    name = f"replica-{uuid.uuid4().hex[:8]}"
    started = process.start_endpoint(
        name=f"{facts.name}/{name}",
        bundle_dir=Path(facts.bundle_dir),
        spec=facts.spec,
        weights=Path(facts.weights) if facts.weights else None,
        api_key_sha256=facts.api_key_sha256,
        log_path=folder / name / "endpoint.log",
        limits=facts.limits,
    )
    return Replica(name=name, url=started.url, pool="local", pid=started.pid)


def _end(replica: Replica) -> None:
    """The instance is gone: no goodbye (its in-flight requests are the router's to retry)."""
    if replica.pid is not None and is_alive(replica.pid):
        kill_session(replica.pid)
        wait_gone(replica.pid, 10.0)


def _start_router(folder: Path, port: int) -> int:
    log_path = folder / ROUTER_LOG
    command = [sys.executable, "-m", "sskai.serving.router", "--folder", str(folder), "--port", str(port)]
    with open(log_path, "ab") as log:
        router = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    process.wait_answering(router, f"http://127.0.0.1:{port}", log_path, "the router")
    return router.pid


def _wait_drained(url: str | None, replica_name: str, deadline: float) -> None:
    """Until the router has nothing in flight on the replica, or the notice runs out."""
    while url and time.monotonic() < deadline:
        try:
            replicas = httpx.get(f"{url}/router", timeout=1.0).json()["replicas"]
        except (httpx.HTTPError, ValueError, KeyError):
            return
        if all(r["in_flight"] == 0 for r in replicas if r["name"] == replica_name):
            return
        time.sleep(0.05)
