"""Ray clusters that training runs on, behind one contract (``local``; ``kuberay`` plugged in).

Each implementation is imported when it is named (``base.PLUGGED_IN``), so what only reads a
cluster's records (a report, the CLI) does not import Ray.
"""

from typing import Any

from sskai.clusters.base import Cluster, ClusterCapacity, ClusterPlan, NodeRun, open_cluster

__all__ = ["Cluster", "ClusterCapacity", "ClusterPlan", "LocalRayCluster", "NodeRun", "open_cluster"]


def __getattr__(name: str) -> Any:
    if name == "LocalRayCluster":
        from sskai.clusters.local import LocalRayCluster

        return LocalRayCluster
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
