"""The Cluster contract: bring a Ray cluster up (or join one), say what it can hold, and end it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import ClassVar, Self

from sskai.clusters.nodes import NodeSpec
from sskai.registry import Registered, Registry
from sskai.settings import Settings


@dataclass(frozen=True)
class ClusterCapacity:
    """What the cluster can hold at most: a job asking for more would wait forever."""

    nodes: int
    cpus: float
    gpus: float


@dataclass(frozen=True)
class ClusterPlan:
    """The nodes to run: an on-demand head (drivers, the Train controller) and the elected spot workers."""

    head: NodeSpec
    workers: tuple[NodeSpec, ...]

    @classmethod
    def unpriced(cls, workers: int, cpus_per_worker: int = 1) -> ClusterPlan:
        """A plan with no election behind it: nodes of this machine, billed at nothing."""

        def node(slot: str, cpus: int) -> NodeSpec:
            return NodeSpec(slot, "local", "local", 0.0, 0.0, spot=slot != "head", cpus=cpus)

        return cls(node("head", 0), tuple(node(f"worker-{i}", cpus_per_worker) for i in range(workers)))

    def spec(self, slot: str) -> NodeSpec:
        for spec in (self.head, *self.workers):
            if spec.slot == slot:
                return spec
        raise KeyError(f"the plan has no slot {slot!r}")


@dataclass
class NodeRun:
    """One node's life, from joining the cluster to leaving it: what the metering bills."""

    spec: NodeSpec
    node_id: str
    started_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None  # "preempted", "stopped"

    def seconds(self, until: datetime) -> float:
        return max(0.0, ((self.ended_at or until) - self.started_at).total_seconds())


NodeListener = Callable[[str, NodeRun], None]  # ("up" | "down", the run)


class Cluster(Registered, ABC):
    """Contract: after ``start`` Ray calls in this process reach the cluster; ``stop`` ends what ``start`` began.

    Used as a context manager by the training service. Implementations register by name
    (``SSKAI_CLUSTER`` picks one; ``local`` is the default). ``node_runs`` lists every node the
    cluster had, with times, for per-node metering; ``listeners`` hear each node come and go.
    """

    registry: ClassVar[Registry[Cluster]] = Registry("cluster")

    def __init__(self, settings: Settings, plan: ClusterPlan) -> None:
        self.settings = settings
        self.plan = plan
        self.node_runs: list[NodeRun] = []
        self.listeners: list[NodeListener] = []

    @abstractmethod
    def start(self) -> None:
        """Bring the cluster up or join it. Raises ConfigError when it cannot be reached."""

    @abstractmethod
    def stop(self) -> None:
        """Release the cluster: a cluster this object brought up is shut down, a joined one keeps running."""

    @abstractmethod
    def capacity(self) -> ClusterCapacity:
        """The most the running cluster can hold (after ``start``)."""

    def _tell(self, change: str, run: NodeRun) -> None:
        for listener in self.listeners:
            listener(change, run)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def open_cluster(settings: Settings, plan: ClusterPlan) -> Cluster:
    """The cluster the settings name (``local`` unless ``SSKAI_CLUSTER`` says otherwise) for ``plan``."""
    return Cluster.registry.get(settings.cluster)(settings, plan)
