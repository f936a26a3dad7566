"""Keep this machine's endpoints serving: a dead one is noticed within seconds and started again.

``sskai up`` runs it as a platform service (``python -m sskai.serving.supervisor``). Every tick it
looks at each local endpoint that should be serving; one whose process is gone is started again at
the same URL, from the same bundle and weights, with the same key hash. The request counters the
old process left in its folder are taken up by the new one, so metering loses nothing.

Restarts are bounded: the n-th restart in a row waits ``BACKOFF_SECONDS[n]``, and after
``RESTART_LIMIT`` of them the endpoint is marked failed with its log's last lines. An endpoint that
has served for ``STABLE_SECONDS`` since its last restart starts counting afresh. Each event is a log
line of the endpoint's, which the dashboard shows.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sskai.bundles.spec import model_spec
from sskai.errors import EndpointError, StoredRecordInvalid
from sskai.kinds import LogLevel, ResourceKind, Status
from sskai.serving.replicas import ReplicatedTarget
from sskai.serving.samples import sample_serving_endpoints
from sskai.serving.targets import EndpointLaunch, LocalProcessTarget, launch_config, target_of
from sskai.store.metadata import Endpoint, Model, utcnow
from sskai.store.stores import Stores, open_stores

BACKOFF_SECONDS = (0.0, 2.0, 5.0, 15.0, 60.0)
RESTART_LIMIT = len(BACKOFF_SECONDS)
STABLE_SECONDS = 600.0


@dataclass(frozen=True)
class Supervision:
    """An endpoint's restart history, as its record keeps it (so that it outlives the supervisor)."""

    restarts: int = 0  # in a row, since it last served for STABLE_SECONDS
    last_restart_at: float | None = None  # epoch seconds
    gave_up: bool = False

    @classmethod
    def of(cls, endpoint: Endpoint) -> Supervision:
        last = endpoint.last_restart_at.timestamp() if endpoint.last_restart_at else None
        return cls(endpoint.restarts, last, endpoint.gave_up)

    def columns(self) -> dict[str, Any]:
        last = datetime.fromtimestamp(self.last_restart_at, tz=UTC) if self.last_restart_at is not None else None
        return {"restarts": self.restarts, "last_restart_at": last, "gave_up": self.gave_up}

    def settled(self, down_at: float) -> Supervision:
        """The count starts afresh when the endpoint had served long enough since its last restart."""
        if self.last_restart_at is not None and down_at - self.last_restart_at >= STABLE_SECONDS:
            return Supervision()
        return self

    def next_attempt_at(self, down_at: float) -> float | None:
        """When to start it again after it went down at ``down_at``; None once the restarts are spent."""
        if self.restarts >= RESTART_LIMIT:
            return None
        return down_at + BACKOFF_SECONDS[self.restarts]


def supervised(endpoint: Endpoint) -> bool:
    """Endpoints on this machine (a process, or replicas behind a router); a cloud runtime (Lambda, a
    Kubernetes Deployment) restarts its own."""
    return endpoint.runtime in (LocalProcessTarget.name, ReplicatedTarget.name)


def needs_attention(endpoint: Endpoint) -> bool:
    """Meant to serve but its process is gone; or failed because the monitor found it gone first."""
    if not supervised(endpoint) or endpoint.gave_up:
        return False
    if Status(endpoint.status).is_serving:
        return not target_of(endpoint).is_alive(endpoint)
    return endpoint.status == Status.FAILED and endpoint.down_at is not None


def supervise_once(stores: Stores, now: float | None = None) -> list[str]:
    """One look at every endpoint; returns what it did, one line each."""
    done = []
    for endpoint in stores.metadata.list(Endpoint):
        if needs_attention(endpoint):
            line = _attend(stores, endpoint, time.time() if now is None else now)
            if line:
                done.append(line)
        elif supervised(endpoint) and Status(endpoint.status).is_serving:
            for line in target_of(endpoint).heal(endpoint):  # what died inside it: a replica
                _note(stores, endpoint, f"endpoint {endpoint.name}: {line}")
                done.append(f"{endpoint.name}: {line}")
    return done


def _attend(stores: Stores, endpoint: Endpoint, now: float) -> str | None:
    down_at = endpoint.down_at.timestamp() if endpoint.down_at else now
    supervision = Supervision.of(endpoint).settled(down_at)
    if endpoint.down_at is None:
        _note(stores, endpoint, f"endpoint {endpoint.name} stopped serving: its process {endpoint.pid} is gone")
    attempt_at = supervision.next_attempt_at(down_at)
    if attempt_at is None:
        reason = f"restarted {RESTART_LIMIT} times in a row and still dying; gave up"
        _save(stores, endpoint, replace(supervision, gave_up=True), down_at, status=Status.FAILED, status_reason=reason)
        _note(stores, endpoint, f"endpoint {endpoint.name}: {reason}", LogLevel.ERROR)
        return f"{endpoint.name}: gave up"
    if now < attempt_at:
        _save(stores, endpoint, supervision, down_at, status=Status.RESTARTING, status_reason="waiting to restart")
        return None
    current = stores.metadata.get(Endpoint, endpoint.id)
    if not (Status(current.status).is_serving or current.status == Status.FAILED):
        return None  # stopped by its user in the meantime
    return _restart(stores, current, supervision, down_at, now)


def _restart(stores: Stores, endpoint: Endpoint, supervision: Supervision, down_at: float, now: float) -> str:
    count = supervision.restarts + 1
    started = time.monotonic()
    try:
        running = target_of(endpoint).start(relaunch(stores, endpoint))
    except (EndpointError, OSError, KeyError, ValueError, StoredRecordInvalid) as exc:
        failed = Supervision(count, now)
        reason = f"restart {count} of {RESTART_LIMIT} failed: {exc}"
        _save(stores, endpoint, failed, down_at, status=Status.RESTARTING, status_reason=reason)
        _note(stores, endpoint, f"endpoint {endpoint.name}: {reason}", LogLevel.ERROR)
        return f"{endpoint.name}: restart {count} failed"
    stores.metadata.update(
        Endpoint,
        endpoint.id,
        pid=running.pid,
        url=running.url,
        status=Status.READY,
        status_reason=None,
        down_at=None,
        **Supervision(count, now).columns(),
    )
    _note(
        stores,
        endpoint,
        f"endpoint {endpoint.name} restarted at {running.url} in {time.monotonic() - started:.1f} s, "
        f"{now - down_at:.0f} s after it went down (restart {count} of {RESTART_LIMIT} in a row)",
    )
    return f"{endpoint.name}: restarted ({count})"


def relaunch(stores: Stores, endpoint: Endpoint) -> EndpointLaunch:
    """The launch that started ``endpoint``, again: its bundle, weights, key hash and port."""
    model = stores.metadata.get(Model, endpoint.model_id)
    launch = launch_config(endpoint)
    if not launch.bundle_dir:
        raise EndpointError(f"endpoint {endpoint.name} was never fully deployed (no bundle folder recorded)")
    return EndpointLaunch(
        name=endpoint.name,
        kind=endpoint.kind,
        bundle_dir=Path(launch.bundle_dir),
        spec=model_spec(model),
        weights=Path(launch.weights) if launch.weights else None,
        api_key_sha256=endpoint.api_key_sha256,
        workdir=stores.settings.endpoints_dir / endpoint.id,
        limits=launch.limits(stores.settings),
        port=urlparse(endpoint.url).port if endpoint.url else None,
        endpoint_id=endpoint.id,
    )


def _save(stores: Stores, endpoint: Endpoint, supervision: Supervision, down_at: float, **values: Any) -> None:
    stores.metadata.update(
        Endpoint,
        endpoint.id,
        down_at=datetime.fromtimestamp(down_at, tz=UTC),
        **supervision.columns(),
        **values,
    )


def _note(stores: Stores, endpoint: Endpoint, message: str, level: str = LogLevel.WARNING) -> None:
    stores.metadata.log(endpoint.owner, ResourceKind.ENDPOINT, endpoint.id, message, level)


def _collect_exited_children() -> None:
    """Endpoints this supervisor restarted are its children: collect them, or they would look alive."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def run(stores: Stores, interval_seconds: float, stop: threading.Event) -> None:
    while not stop.is_set():
        _collect_exited_children()
        for line in supervise_once(stores):
            print(f"{datetime.now().isoformat(timespec='seconds')} {line}", flush=True)
        sample_serving_endpoints(stores)  # the dashboard's charts over time (each endpoint at most every 30 s)
        stop.wait(interval_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between looks")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"{utcnow().isoformat(timespec='seconds')} supervising local endpoints every {args.interval} s", flush=True)
    run(open_stores(), args.interval, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
