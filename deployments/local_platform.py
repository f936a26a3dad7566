"""The local platform as a service: ``sskai up`` starts it, ``sskai status`` says what runs, ``sskai down`` ends it.

Four processes, each in a session of its own and recorded (with its start time, so a reused pid is
never mistaken for it) in ``SSKAI_HOME/platform/services.json``:

- a Prefect server on its own SQLite database under ``SSKAI_HOME/prefect`` (the UI included);
- a worker of the ``sskai-process`` work pool, which runs every deployment of this repository;
- the dashboard (Streamlit);
- the endpoint supervisor, which restarts a local endpoint whose process died (``sskai.serving.supervisor``).

``up`` is idempotent: a service still running is kept, a dead one is started again, and the work
pool and deployments are registered whenever something had to be started. ``down`` ends every service with everything
its session started (the worker's flow runs included).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from deployments.register import PROCESS_POOL, REPO
from sskai.processes import ProcessIdentity, kill_session, log_tail, poll, wait_gone
from sskai.settings import Settings

START_TIMEOUT_SECONDS = 120.0
SERVICES = ("prefect-server", "worker", "dashboard", "supervisor")


@dataclass(frozen=True)
class Service:
    name: str
    pid: int
    start_ticks: int | None
    host: str
    url: str
    log: str

    def running(self) -> bool:
        return ProcessIdentity(self.host, self.pid, self.start_ticks).is_running()


@dataclass(frozen=True)
class Launch:
    """A service's process, started and not yet known to be ready."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    ready: Callable[[], bool]


@dataclass(frozen=True)
class Ports:
    prefect: int = 4200
    dashboard: int = 8501


class PlatformError(RuntimeError):
    """A service did not come up; the message names it and quotes its log."""


class LocalPlatform:
    def __init__(self, settings: Settings, ports: Ports | None = None) -> None:
        self.settings = settings
        self.ports = ports or Ports()
        self.folder = settings.home / "platform"
        self.state_file = self.folder / "services.json"

    # ---- what runs ----

    def services(self) -> dict[str, Service]:
        try:
            stored = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
        return {name: Service(**entry) for name, entry in stored.items()}

    def _save(self, services: dict[str, Service]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps({name: asdict(s) for name, s in services.items()}, indent=2))

    def status(self) -> list[tuple[str, bool, str, int | None]]:
        """(service, running, url, pid) for every service, whether or not it was ever started."""
        known = self.services()
        rows = []
        for name in SERVICES:
            service = known.get(name)
            rows.append(
                (name, bool(service and service.running()), service.url if service else "", service and service.pid)
            )
        return rows

    # ---- up and down ----

    def up(self) -> dict[str, Service]:
        """Start what is not running: the server first, then the rest at once while the deployments register."""
        services = self.services()
        if all(services.get(name) and services[name].running() for name in SERVICES):
            return services  # all up: a second `sskai up` starts (and re-registers) nothing
        server = services.get("prefect-server")
        if server is None or not server.running():
            server = self._await(self._start_server())
            services["prefect-server"] = server
            self._save(services)
        api = f"{server.url}/api"
        starts = (("worker", self._start_worker), ("dashboard", self._start_dashboard), ("supervisor", self._supervise))
        starting: list[Launch] = []
        try:
            for name, start in starts:
                if services.get(name) is None or not services[name].running():
                    starting.append(start(api))
            self._register(api)  # the worker, the dashboard and the supervisor start meanwhile
            for launch in starting:
                services[launch.name] = self._await(launch)
                self._save(services)
        finally:
            for launch in starting:
                if launch.name not in services or services[launch.name].pid != launch.process.pid:
                    kill_session(launch.process)  # one that failed to start, or was never waited for
        return services

    def down(self) -> list[str]:
        """End every running service (last started first: the supervisor before the endpoints it would
        restart), then the local endpoints; returns what ended."""
        services = self.services()
        ended = []
        for name in reversed(SERVICES):
            service = services.get(name)
            if service is not None and service.running():
                kill_session(service.pid)
                wait_gone(service.pid, timeout_seconds=10.0)
                ended.append(name)
        self.state_file.unlink(missing_ok=True)
        return ended + self._stop_local_endpoints()

    def _stop_local_endpoints(self) -> list[str]:
        """Endpoints on this machine run unsupervised without the platform: they end with it."""
        from sskai.kinds import Status
        from sskai.serving.service import stop_stored_endpoint
        from sskai.serving.targets import LocalProcessTarget
        from sskai.store.metadata import Endpoint
        from sskai.store.stores import open_stores

        stores = open_stores(self.settings)
        stopped = []
        for record in stores.metadata.list(Endpoint):
            if Status(record.status).is_serving and record.runtime == LocalProcessTarget.name:
                stop_stored_endpoint(stores, record.id, reason="the local platform was brought down (sskai down)")
                stopped.append(f"endpoint {record.name}")
        return stopped

    # ---- the services ----

    def _environment(self, api: str | None = None) -> dict[str, str]:
        environment = {
            **os.environ,
            "SSKAI_HOME": str(self.settings.home),
            "PREFECT_HOME": str(self.settings.home / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "2",  # a run triggered from the UI starts within seconds
        }
        if api:
            environment["PREFECT_API_URL"] = api
        else:
            environment.pop("PREFECT_API_URL", None)
        return environment

    def _spawn(self, name: str, command: list[str], url: str, api: str | None, ready: Callable[[], bool]) -> Launch:
        self.folder.mkdir(parents=True, exist_ok=True)
        log_path = self.folder / f"{name}.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self._environment(api),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return Launch(name, process, url, log_path, ready)

    def _await(self, launch: Launch) -> Service:
        """The service, once it is ready; PlatformError with its log if it exits or never gets there."""

        def started() -> bool | None:
            if launch.process.poll() is not None:
                raise PlatformError(
                    f"{launch.name} exited with {launch.process.returncode} while starting: {log_tail(launch.log_path)}"
                )
            return True if launch.ready() else None

        if not poll(started, START_TIMEOUT_SECONDS, interval_seconds=0.5):
            kill_session(launch.process)
            raise PlatformError(
                f"{launch.name} did not come up within {START_TIMEOUT_SECONDS:.0f} s: {log_tail(launch.log_path)}"
            )
        identity = ProcessIdentity.of(launch.process.pid)
        return Service(
            launch.name, launch.process.pid, identity.start_ticks, identity.host, launch.url, str(launch.log_path)
        )

    def _start_server(self) -> Launch:
        port = self.ports.prefect
        _check_free(port, "the Prefect server")
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        return self._spawn("prefect-server", command, url, None, lambda: _answers(f"{url}/api/health"))

    def _register(self, api: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "deployments.register", PROCESS_POOL],
            cwd=REPO,
            env=self._environment(api),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS,
        )
        if done.returncode != 0:
            raise PlatformError(f"registering the deployments failed: {done.stderr.strip()[-1500:]}")

    def _start_worker(self, api: str) -> Launch:
        command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", PROCESS_POOL, "--type", "process"]
        return self._spawn("worker", command, f"{api}/work_pools/{PROCESS_POOL}", api, lambda: _worker_online(api))

    def _start_dashboard(self, api: str) -> Launch:
        port = self.ports.dashboard
        _check_free(port, "the dashboard")
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "dashboard.py")]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
        command += ["--browser.gatherUsageStats", "false"]
        return self._spawn("dashboard", command, url, api, lambda: _answers(f"{url}/_stcore/health"))

    def _supervise(self, api: str) -> Launch:
        log_path = self.folder / "supervisor.log"
        command = [sys.executable, "-m", "sskai.serving.supervisor", "--interval", "1"]
        return self._spawn("supervisor", command, str(log_path), api, lambda: "supervising" in log_tail(log_path))


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _worker_online(api: str) -> bool:
    try:
        workers = httpx.post(f"{api}/work_pools/{PROCESS_POOL}/workers/filter", json={}, timeout=2).json()
    except (httpx.HTTPError, ValueError):
        return False
    return any(worker.get("status") == "ONLINE" for worker in workers)


def _check_free(port: int, what: str) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise PlatformError(f"port {port} for {what} is taken by another program; choose another port")
