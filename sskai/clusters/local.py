"""The embedded default: Ray on this machine, or the Ray cluster at ``SSKAI_RAY_ADDRESS``."""

from __future__ import annotations

import os

import ray

from sskai.clusters.base import Cluster, ClusterCapacity


class LocalRayCluster(Cluster, name="local", default=True):
    """Starts Ray locally, joins the configured address, or reuses the Ray this process already runs."""

    _connected = False

    def start(self) -> None:
        if ray.is_initialized():
            return  # this process already runs on a cluster (a test session's, a notebook's): use it, leave it
        if self.settings.ray_address:
            ray.init(address=self.settings.ray_address, log_to_driver=False)
        else:
            # address="local": a new cluster of our own, never one that `ray start` left on this machine.
            ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
        self._connected = True

    def stop(self) -> None:
        if self._connected and ray.is_initialized():
            ray.shutdown()  # ends a cluster we started; only disconnects from a joined one
        self._connected = False

    def capacity(self) -> ClusterCapacity:
        resources = ray.cluster_resources()
        alive = sum(1 for node in ray.nodes() if node.get("Alive"))
        return ClusterCapacity(nodes=alive, cpus=resources.get("CPU", 0.0), gpus=resources.get("GPU", 0.0))
