"""Ray nodes as separate processes on this machine: what each stands for, and starting and ending them.

Each node is one ``ray start --block`` in its own process group, so killing the group is what a
cloud does when it reclaims the instance: the raylet, its workers and its agents go at once.
A cluster's processes are also found by its scratch folder (every Ray process names it on its
command line), so whatever escaped the group is reaped too, and a cluster left by a killed run is
ended by the next one.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sskai.errors import ConfigError
from sskai.processes import poll
from sskai.sandbox import SandboxPolicy, start_sandboxed
from sskai.settings import Settings

RAY = str(Path(sys.executable).with_name("ray"))
NODE_ENVIRONMENT = {
    # Ray Train polls node drains every 5 s by default; a time-scaled notice is shorter than that.
    "RAY_TRAIN_PREEMPTION_POLL_INTERVAL_S": "0.5",
    # Ray Train's controller polls its workers every 2 s by default, and a report (a checkpoint) waits
    # for that poll: at 0.25 s a checkpoint costs the loop a quarter second, and one taken on a
    # notice lands well inside a scaled deadline.
    "RAY_TRAIN_HEALTH_CHECK_INTERVAL_S": "0.25",
    # A vanished node is declared dead after 3 missed 1 s health checks (default 5 x 3 s).
    "RAY_health_check_period_ms": "1000",
    "RAY_health_check_failure_threshold": "3",
}
LABEL_PREFIX = "sskai.io"
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - Ray's object store, not a temporary file


@dataclass(frozen=True)
class NodeSpec:
    """One node of a cluster plan: the instance it stands for and what a second of it costs."""

    slot: str  # "head", "worker-0", ...: a replacement takes its predecessor's slot
    instance_type: str
    region: str  # the pool's region (the zone is the cloud's to pick)
    usd_per_hour: float  # what is paid: spot for workers, on-demand for the head
    ondemand_usd_per_hour: float  # the same node on demand, what it is compared with
    spot: bool
    cpus: int
    gpus: int = 0
    zone: str | None = None  # where a trace's pool names one

    def labels(self) -> dict[str, str]:
        return {
            **({f"{LABEL_PREFIX}/zone": self.zone} if self.zone else {}),
            f"{LABEL_PREFIX}/slot": self.slot,
            f"{LABEL_PREFIX}/instance-type": self.instance_type,
            f"{LABEL_PREFIX}/region": self.region,
            f"{LABEL_PREFIX}/capacity": "spot" if self.spot else "on-demand",
            f"{LABEL_PREFIX}/usd-per-hour": f"{self.usd_per_hour:.4f}",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class NodeAccess:
    """What a cluster's node processes may touch besides their scratch folder: user code runs in their workers."""

    readable: tuple[Path, ...] = ()
    writable: tuple[Path, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)  # added to the sandbox's allow-list

    @classmethod
    def for_settings(cls, settings: Settings) -> NodeAccess:
        """A file artifact store is read (bundles, datasets) and written under checkpoints/; nothing else."""
        environment = settings.ray_node_environment()
        artifacts = urlparse(settings.artifact_url)
        if artifacts.scheme != "file":
            return cls(environment=environment)
        root = Path(artifacts.path)
        (root / "checkpoints").mkdir(parents=True, exist_ok=True)
        return cls(readable=(root,), writable=(root / "checkpoints",), environment=environment)

    def for_head(self, settings: Settings) -> NodeAccess:
        """The head also holds the control plane (the driver's Ray Train controller writes the training's
        events): it reaches the metadata store too. No user code runs there: it has no CPUs for workers."""
        database = urlparse(settings.database_url)
        if database.scheme != "sqlite":
            return self
        folder = Path(database.path).parent  # SQLite writes its -wal and -shm files beside the database
        return NodeAccess(self.readable, (*self.writable, folder), self.environment)

    def policy(self, scratch: Path) -> SandboxPolicy:
        # Ray's object store lives in /dev/shm; its workers talk over TCP, so the network stays open.
        return SandboxPolicy(
            workdir=scratch, readable=self.readable, writable=(*self.writable, SHARED_MEMORY), network=True
        )


def start_node(
    spec: NodeSpec, scratch: Path, access: NodeAccess, head_address: str | None = None, port: int = 0
) -> subprocess.Popen[bytes]:
    """``ray start --block`` for ``spec``, sandboxed, in a session of its own: the head when no ``head_address``."""
    labels = ",".join(f"{key}={value}" for key, value in spec.labels().items())
    command = [RAY, "start", "--block", "--disable-usage-stats", "--node-ip-address", "127.0.0.1"]
    command += ["--num-cpus", str(spec.cpus), "--num-gpus", str(spec.gpus), "--labels", labels]
    if head_address is None:
        command += ["--head", "--port", str(port), "--include-dashboard", "false", "--temp-dir", str(scratch / "ray")]
    else:
        command += ["--address", head_address]
    log = open(scratch / f"{spec.slot}.log", "ab")  # noqa: SIM115 - the child keeps it; closed here after the fork
    try:
        environment = {**access.environment, **NODE_ENVIRONMENT}
        node = start_sandboxed(
            command, access.policy(scratch), environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    finally:
        log.close()
    return node.popen


def wait_for_port(port: int, timeout_seconds: float) -> None:

    def connected() -> bool:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True

    if not poll(connected, timeout_seconds, interval_seconds=0.1, not_yet=(OSError,)):
        raise ConfigError(f"the local Ray head did not open port {port} within {timeout_seconds:.0f} s")


SCRATCH_PREFIX = "sskai-ray-"
