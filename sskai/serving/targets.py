"""Where an endpoint runs: the ServingTarget contract and its registry.

The plan says *what kind* of serving (serverless or spot); the settings map each kind to a target
by name (``SSKAI_SERVERLESS_TARGET``, ``SSKAI_SPOT_TARGET``). The embedded default, ``local``,
serves both kinds as a process on this machine; ``lambda`` and spot replicas register the same way.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import httpx

from sskai.bundles.spec import ModelSpec
from sskai.errors import EndpointError
from sskai.kinds import ServingKind
from sskai.processes import is_alive
from sskai.profiling.metrics import ProfileMetrics
from sskai.registry import Registered, Registry
from sskai.serving import process
from sskai.serving.requests import RequestCounters
from sskai.settings import Settings
from sskai.store.metadata import Endpoint
from sskai.versioned import Versioned


@dataclass(frozen=True)
class EndpointLaunch:
    """Everything a target needs to start serving one model."""

    name: str
    kind: ServingKind
    bundle_dir: Path
    spec: ModelSpec
    weights: Path | None
    api_key_sha256: str  # the endpoint checks keys against this hash; the key itself never reaches it
    workdir: Path
    limits: process.EndpointLimits
    port: int | None = None  # a restart keeps the endpoint's URL
    endpoint_id: str = ""  # the record's id: what a remote target names its resources after
    memory_mb: int | None = None  # serverless: the plan's memory, chosen from the profile's resident peak
    profile: ProfileMetrics | None = None  # the newest successful profile: payload and latency checks
    latency_slo_ms: float | None = None  # the p95 target the recommendation was made for


class LaunchConfig(Versioned):
    """What starting an endpoint again needs beside its record's facts: its unpacked bundle, its weights and
    (serverless) its memory. Written once by the deploy (and the promotion, for new weights)."""

    SCHEMA_VERSION: ClassVar[int] = 1
    REMEDY: ClassVar[str] = "deploy the endpoint again"

    memory_mb: int | None = None
    bundle_dir: str | None = None
    weights: str | None = None
    priced_as: str | None = None  # deployed without a plan: why it is metered as its instance type
    # Adaptive batching, chosen from the profile and the latency target (sskai.serving.batch_plan)
    max_batch_rows: int | None = None
    max_batch_wait_ms: float | None = None
    batching: str | None = None  # why, in words

    def limits(self, settings: Settings) -> process.EndpointLimits:
        """The settings' limits, with this endpoint's own batching where it has one."""
        limits = process.EndpointLimits.of(settings)
        chosen = {"max_batch_rows": self.max_batch_rows, "max_batch_wait_ms": self.max_batch_wait_ms}
        return limits.model_copy(update={k: v for k, v in chosen.items() if v is not None})


def launch_config(endpoint: Endpoint) -> LaunchConfig:
    return LaunchConfig.from_stored(endpoint.launch, f"the launch config of endpoint {endpoint.name}")


@dataclass(frozen=True)
class RunningEndpoint:
    url: str
    pid: int | None = None  # a local process; remote targets leave it empty


class ServingTarget(Registered, ABC):
    """Contract: ``start`` returns once the endpoint answers ``/health``; ``stop`` is idempotent."""

    registry: ClassVar[Registry[ServingTarget]] = Registry("serving target")

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @abstractmethod
    def start(self, launch: EndpointLaunch) -> RunningEndpoint:
        """Start serving; raises EndpointError with the endpoint's own log when it cannot."""

    @abstractmethod
    def stop(self, endpoint: Endpoint) -> None:
        """Stop serving (nothing to do if it is already gone)."""

    @abstractmethod
    def is_alive(self, endpoint: Endpoint) -> bool:
        """Is the endpoint's runtime still there (it may still fail to answer)?"""

    @abstractmethod
    def swap_weights(self, endpoint: Endpoint, weights: Path) -> None:
        """Serve ``weights`` from now on at the same URL, with no request failing during the switch."""

    def change_key(self, endpoint: Endpoint, launch: EndpointLaunch) -> RunningEndpoint:
        """Serve at the same URL checking ``launch.api_key_sha256`` from now on (the old key is refused).

        Here: started again with the new hash (a second or two without an answer); cloud runtimes
        swap it in place.
        """
        self.stop(endpoint)
        return self.start(launch)

    def heal(self, endpoint: Endpoint) -> list[str]:
        """Repair what died inside a running endpoint, one line per repair (the supervisor asks each pass).

        Here nothing: a single process is alive or not, and the supervisor restarts it whole."""
        return []

    def billed_replicas(self, endpoint: Endpoint) -> tuple[str, ...]:
        """What of this endpoint runs on a node billed by the hour now, one name per node: here, itself."""
        return (endpoint.name,)

    def request_counters(self, endpoint: Endpoint) -> RequestCounters:
        """What it served since it was deployed: its own ``/metrics`` (a cloud runtime asks its cloud)."""
        response = httpx.get(f"{endpoint.url}/metrics", timeout=5.0)
        response.raise_for_status()
        return RequestCounters.model_validate(response.json())


class LocalProcessTarget(ServingTarget, name="local", default=True):
    """A process on this machine serving the same HTTP contract as Lambda and the spot replicas."""

    def start(self, launch: EndpointLaunch) -> RunningEndpoint:
        started = process.start_endpoint(
            name=launch.name,
            bundle_dir=launch.bundle_dir,
            spec=launch.spec,
            weights=launch.weights,
            api_key_sha256=launch.api_key_sha256,
            log_path=launch.workdir / "endpoint.log",
            limits=launch.limits,
            port=launch.port,
        )
        return RunningEndpoint(url=started.url, pid=started.pid)

    def stop(self, endpoint: Endpoint) -> None:
        if endpoint.pid and is_alive(endpoint.pid):
            process.stop_endpoint(endpoint.pid)

    def is_alive(self, endpoint: Endpoint) -> bool:
        return is_alive(endpoint.pid)

    def swap_weights(self, endpoint: Endpoint, weights: Path) -> None:
        if not (endpoint.pid and is_alive(endpoint.pid)):
            raise EndpointError(f"endpoint {endpoint.name} is not running")
        process.reload_endpoint(endpoint.pid, weights.parent, weights)


# Targets in modules of their own (they need boto3 or a cluster's client), imported when named.
PLUGGED_IN = {"lambda": "sskai.serving.lambda_target", "replicas": "sskai.serving.replicas"}


def target_named(name: str, settings: Settings | None = None) -> ServingTarget:
    # Importing registers a plugged-in target; an unknown name imports them all, so the refusal lists them.
    for module in [PLUGGED_IN[name]] if name in PLUGGED_IN else PLUGGED_IN.values():
        importlib.import_module(module)
    return ServingTarget.registry.get(name)(settings)


def target_for(settings: Settings, kind: ServingKind) -> ServingTarget:
    """The target the settings name for this kind of serving."""
    return target_named(settings.serving_target_for(kind), settings)


def target_of(endpoint: Endpoint) -> ServingTarget:
    """The target an existing endpoint was started on (its ``runtime``)."""
    return target_named(endpoint.runtime)
