"""The Cluster contract: bring a Ray cluster up (or join one), say what it can hold, and end it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar, Self

from sskai.registry import Registered, Registry
from sskai.settings import Settings


@dataclass(frozen=True)
class ClusterCapacity:
    """What the cluster can hold at most: a job asking for more would wait forever."""

    nodes: int
    cpus: float
    gpus: float


class Cluster(Registered, ABC):
    """Contract: after ``start`` Ray calls in this process reach the cluster; ``stop`` ends what ``start`` began.

    Used as a context manager by the training service. Implementations register by name
    (``SSKAI_CLUSTER`` picks one; ``local`` is the default).
    """

    registry: ClassVar[Registry[Cluster]] = Registry("cluster")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def start(self) -> None:
        """Bring the cluster up or join it. Raises ConfigError when it cannot be reached."""

    @abstractmethod
    def stop(self) -> None:
        """Release the cluster: a cluster this object brought up is shut down, a joined one keeps running."""

    @abstractmethod
    def capacity(self) -> ClusterCapacity:
        """The most the running cluster can hold (after ``start``)."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def open_cluster(settings: Settings) -> Cluster:
    """The cluster the settings name (``local`` unless ``SSKAI_CLUSTER`` says otherwise)."""
    return Cluster.registry.get(settings.cluster)(settings)
