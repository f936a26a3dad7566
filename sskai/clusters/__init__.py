"""Ray clusters that training runs on, behind one contract (``local`` today; ``kuberay`` next)."""

from sskai.clusters.base import Cluster, ClusterCapacity, ClusterPlan, NodeRun, open_cluster
from sskai.clusters.local import LocalRayCluster

__all__ = ["Cluster", "ClusterCapacity", "ClusterPlan", "LocalRayCluster", "NodeRun", "open_cluster"]
