"""Ray clusters that training runs on, behind one contract (``local`` today; ``kuberay`` next)."""

from sskai.clusters.base import Cluster, ClusterCapacity, open_cluster
from sskai.clusters.local import LocalRayCluster

__all__ = ["Cluster", "ClusterCapacity", "LocalRayCluster", "open_cluster"]
