"""The ``kuberay`` Cluster: a training's RayCluster on Kubernetes, created from its plan and deleted after it.

``SSKAI_CLUSTER=kuberay``. ``start`` creates the RayCluster (the head on an on-demand NodePool, one
worker group per candidate spot pool and an on-demand group, the first candidate's group holding
the workers), waits for KubeRay to report it ready and connects through Ray Client to its head;
``stop`` disconnects and deletes it. The spot policy moves the workers between groups through
``placement()`` (``SCALE_GROUPS``): Karpenter brings the nodes, KubeRay the pods, Ray Train resumes.
"""

from __future__ import annotations

from typing import Any

import ray

from sskai.clusters.base import Cluster, ClusterCapacity, ClusterFeature, ClusterPlan
from sskai.clusters.labels import dns_name
from sskai.errors import ConfigError
from sskai.kuberay.client import KubeRayApi, api_client, cluster_ready
from sskai.kuberay.manifests import group_names, render_raycluster, render_raycluster_spec
from sskai.kuberay.placement import KubeRayPlacement
from sskai.settings import Settings
from sskai.spot.decisions import Where

RAY_CLIENT_PORT = 10001
FIRST_POOL = Where(pool=0)  # the workers start on the election's best pool; the policy moves them


class KubeRayCluster(Cluster, name="kuberay"):
    """One RayCluster per training attempt, in ``SSKAI_KUBE_NAMESPACE``."""

    def __init__(self, settings: Settings, plan: ClusterPlan, api: KubeRayApi | None = None) -> None:
        super().__init__(settings, plan)
        self._api = api
        self.name = dns_name(plan.name)
        self.created = False

    @property
    def api(self) -> KubeRayApi:
        if self._api is None:
            self._api = KubeRayApi(api_client(self.settings.kube_api_url), self.settings.kube_namespace)
        return self._api

    @property
    def features(self) -> frozenset[ClusterFeature]:
        return frozenset({ClusterFeature.SCALE_GROUPS})

    def manifest(self, first: Where = FIRST_POOL) -> dict[str, Any]:
        if not self.plan.candidates:
            raise ConfigError("a kuberay cluster needs an elected plan with candidate pools (`sskai recommend`)")
        if not self.settings.artifact_url.startswith("s3://"):
            raise ConfigError(
                f"a kuberay cluster keeps checkpoints and artifacts on S3 (its nodes come and go); "
                f"SSKAI_ARTIFACT_URL is {self.settings.artifact_url}: set it to s3://bucket/prefix"
            )
        worker = self.plan.workers[0] if self.plan.workers else None
        spec = render_raycluster_spec(
            self.plan.candidates,
            len(self.plan.workers),
            first,
            self.settings.artifact_url,
            cpus=max(worker.cpus, 1) if worker else 1,
            gpus=worker.gpus if worker else 0,
        )
        return render_raycluster(self.name, self.settings.kube_namespace, spec, self.plan.name)

    def up(self) -> str:
        """Create the RayCluster (or find this training's, on a resumed attempt), wait until KubeRay says it is
        ready; the head's address."""
        manifest = self.manifest()
        try:
            self.api.get("RayCluster", self.name)
        except ConfigError:
            self.api.create(manifest)
            self.created = True
        ready = self.api.wait_for("RayCluster", self.name, cluster_ready, self.settings.kuberay_ready_seconds)
        head = ready.get("status", {}).get("head", {})
        address = head.get("serviceIP") or head.get("podIP")
        if not address:
            raise ConfigError(f"RayCluster {self.name} is ready but reports no head address: {ready.get('status')}")
        return address

    def start(self) -> None:
        address = self.up()
        try:
            ray.init(address=f"ray://{address}:{RAY_CLIENT_PORT}", log_to_driver=False)
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        if self.created:
            self.api.delete("RayCluster", self.name)
            self.created = False

    def stop(self) -> None:
        if ray.is_initialized():
            ray.shutdown()
        self.down()

    def capacity(self) -> ClusterCapacity:
        cpus = sum(w.cpus for w in self.plan.workers)
        gpus = sum(w.gpus for w in self.plan.workers)
        return ClusterCapacity(len(self.plan.workers), float(cpus), float(gpus))

    def placement(self) -> KubeRayPlacement:
        """Where the spot controller's decisions go: the worker groups' replicas."""
        self.require(ClusterFeature.SCALE_GROUPS)
        return KubeRayPlacement(self.api, self.name, group_names(self.plan.candidates), len(self.plan.workers))
