"""Where an endpoint runs: the ServingTarget contract and its registry.

The plan says *what kind* of serving (serverless or spot); the settings map each kind to a target
by name (``SSKAI_SERVERLESS_TARGET``, ``SSKAI_SPOT_TARGET``). The embedded default, ``local``,
serves both kinds as a process on this machine; ``lambda`` and spot replicas register the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from sskai.bundles import ModelSpec
from sskai.errors import EndpointError
from sskai.kinds import ServingKind
from sskai.processes import is_alive
from sskai.registry import Registered, Registry
from sskai.serving import process
from sskai.settings import Settings
from sskai.store.metadata import Endpoint


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
    limits: process.EndpointLimits = field(default_factory=process.EndpointLimits)
    port: int | None = None  # a restart keeps the endpoint's URL


@dataclass(frozen=True)
class RunningEndpoint:
    url: str
    pid: int | None = None  # a local process; remote targets leave it empty


class ServingTarget(Registered, ABC):
    """Contract: ``start`` returns once the endpoint answers ``/health``; ``stop`` is idempotent."""

    registry: ClassVar[Registry[ServingTarget]] = Registry("serving target")

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


def target_for(settings: Settings, kind: ServingKind) -> ServingTarget:
    """The target the settings name for this kind of serving."""
    return ServingTarget.registry.get(settings.serving_target_for(kind))()


def target_of(endpoint: Endpoint) -> ServingTarget:
    """The target an existing endpoint was started on (recorded in its config)."""
    return ServingTarget.registry.get(endpoint.config.get("runtime"))()
