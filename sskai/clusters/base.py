"""The Cluster contract: bring a Ray cluster up (or join one), say what it can hold, and end it."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import ClassVar, Self

from sskai.clusters.nodes import NodeSpec
from sskai.errors import ConfigError
from sskai.plans import PoolCandidate
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
    name: str = "sskai"  # what a cluster that names its resources calls them (KubeRay: the RayCluster)
    candidates: tuple[PoolCandidate, ...] = ()  # the spot pools the workers may move between

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


class NodeChange(StrEnum):
    UP = "up"
    DOWN = "down"


class EndReason(StrEnum):
    """Why a node left the cluster."""

    PREEMPTED = "preempted"  # the cloud reclaimed it
    STOPPED = "stopped"  # the cluster ended it
    MOVED = "moved"  # ended to run its slot on another pool (the spot policy's move)
    RELEASED = "released"  # given back while the job waits for capacity


class ClusterFeature(StrEnum):
    """What a cluster can do beyond running Ray: declared by each implementation, required by who needs it."""

    MOVE_NODES = "move nodes"  # end a worker slot's node and start it again on another pool
    SIMULATED_RECLAIM = "simulated reclaim"  # drain and kill nodes as a cloud reclaiming spot capacity would
    SCALE_GROUPS = "scale worker groups"  # move the workers between per-pool groups by their replica counts


@dataclass
class NodeRun:
    """One node's life, from joining the cluster to leaving it: what the metering bills."""

    spec: NodeSpec
    node_id: str
    started_at: datetime
    ended_at: datetime | None = None
    end_reason: EndReason | None = None

    def seconds(self, until: datetime) -> float:
        return max(0.0, ((self.ended_at or until) - self.started_at).total_seconds())


NodeListener = Callable[[NodeChange, NodeRun], None]


class Cluster(Registered, ABC):
    """Contract: after ``start`` Ray calls in this process reach the cluster; ``stop`` ends what ``start`` began.

    Used as a context manager by the training service. Implementations register by name
    (``SSKAI_CLUSTER`` picks one; ``local`` is the default). ``node_runs`` lists every node the
    cluster had, with times, for per-node metering; ``listeners`` hear each node come and go.
    """

    registry: ClassVar[Registry[Cluster]] = Registry("cluster")

    @property
    def features(self) -> frozenset[ClusterFeature]:
        """What this cluster can do now (a cluster may lose a feature, e.g. when it only joined a running Ray)."""
        return frozenset()

    def require(self, *needed: ClusterFeature) -> None:
        """Refuse, before anything starts, a request that needs a feature this cluster lacks."""
        missing = [feature for feature in needed if feature not in self.features]
        if missing:
            raise ConfigError(
                f"the {self.name} cluster cannot {' or '.join(str(m) for m in missing)} "
                f"(it can: {', '.join(sorted(self.features)) or 'nothing beyond running Ray'})"
            )

    def place(self, slot: str, spec: NodeSpec) -> NodeRun:
        """Run ``slot`` on a node of ``spec`` (ending the node it has, if any); needs MOVE_NODES."""
        self.require(ClusterFeature.MOVE_NODES)
        raise NotImplementedError

    def release(self, slot: str) -> NodeRun | None:
        """End ``slot``'s node and leave the slot empty (the job waits); needs MOVE_NODES."""
        self.require(ClusterFeature.MOVE_NODES)
        raise NotImplementedError

    def drain(self, slot: str, deadline_epoch_seconds: float, message: str) -> NodeRun:
        """Tell ``slot``'s node it goes at the deadline (Ray's preemption drain); needs MOVE_NODES."""
        self.require(ClusterFeature.MOVE_NODES)
        raise NotImplementedError

    def kill(self, slot: str, reason: EndReason = EndReason.PREEMPTED) -> NodeRun:
        """End ``slot``'s node at once, as a cloud reclaiming it would; needs SIMULATED_RECLAIM."""
        self.require(ClusterFeature.SIMULATED_RECLAIM)
        raise NotImplementedError

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

    def _tell(self, change: NodeChange, run: NodeRun) -> None:
        for listener in self.listeners:
            listener(change, run)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


# Clusters that live above this package (they use the spot policy's types), imported when named.
PLUGGED_IN = {"local": "sskai.clusters.local", "kuberay": "sskai.kuberay.cluster"}


def open_cluster(settings: Settings, plan: ClusterPlan) -> Cluster:
    """The cluster the settings name (``local`` unless ``SSKAI_CLUSTER`` says otherwise) for ``plan``."""
    # Importing registers an implementation; an unknown name imports them all, so the refusal lists them.
    for module in [PLUGGED_IN[settings.cluster]] if settings.cluster in PLUGGED_IN else PLUGGED_IN.values():
        importlib.import_module(module)
    return Cluster.registry.get(settings.cluster)(settings, plan)
