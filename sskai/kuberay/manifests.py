"""KubeRay manifests written from a training plan: the head on demand, one worker group per candidate spot pool.

Pure rendering, as the Karpenter NodePools are: the election and the plan decide the pools; this
turns them into ``ray.io/v1`` objects. Every worker group starts at zero replicas except the one
the spot policy's first decision names; the policy then moves the job between groups by their
``replicas`` (``sskai.kuberay.placement``). The on-demand group is the fallback a deadline needs.
Checkpoints and artifacts live on S3 (the settings' ``artifact_url``): a node that goes takes nothing
with it. The head holds the store's credentials (a Secret); the worker pods, which run user code, get
only the artifact location.
"""

from __future__ import annotations

import copy
from typing import Any

from sskai.clusters.labels import CAPACITY_TYPE, INSTANCE_TYPE, MANAGED_BY, POOL_LABEL, REGION, ZONE, dns_name
from sskai.plans import PoolCandidate
from sskai.spot.decisions import Where

RAY_VERSION = "2.60.0"
# Ray's image with sskai installed (``infra/kuberay/Dockerfile``): the head runs sskai's driver, the
# workers its training loop, the agent its notice handler.
SSKAI_RAY_IMAGE = f"sskai/ray:{RAY_VERSION}-py311"
SSKAI_RAY_GPU_IMAGE = f"sskai/ray:{RAY_VERSION}-py311-gpu"
ONDEMAND_GROUP = "on-demand"
STORE_SECRET = "sskai-store"  # noqa: S105 - a Secret's name, not a secret; database URL and S3 credentials: mounted on the head only
# KubeRay gives a worker this long to go before it is removed on a scale-down (a checkpoint fits in it).
GRACE_SECONDS = 120


def group_name(candidate: PoolCandidate) -> str:
    return dns_name(f"spot-{candidate.instance_type}-{candidate.zone or candidate.region}", 40)


def group_names(candidates: tuple[PoolCandidate, ...]) -> tuple[str, ...]:
    """One group per candidate, then the on-demand group: the order the placement patches by."""
    names = tuple(group_name(c) for c in candidates)
    if len(set(names)) != len(names):
        raise ValueError(f"two candidate pools render to one worker group name: {names}")
    return (*names, ONDEMAND_GROUP)


def replicas_for(where: Where, pools: int, workers: int) -> tuple[int, ...]:
    """Each group's replicas (the candidates', then on demand's) with the job ``where`` the policy put it."""
    counts = [0] * (pools + 1)
    if where.on_demand:
        counts[pools] = workers
    elif where.pool is not None:
        counts[where.pool] = workers
    return tuple(counts)


def _resources(cpus: int, gpus: int, memory_gib: int) -> dict[str, Any]:
    amount = {"cpu": str(cpus), "memory": f"{memory_gib}Gi"}
    if gpus:
        amount["nvidia.com/gpu"] = str(gpus)
    return {"requests": dict(amount), "limits": dict(amount)}


def _container(name: str, image: str, cpus: int, gpus: int, memory_gib: int, env: list[dict]) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "resources": _resources(cpus, gpus, memory_gib),
        "env": copy.deepcopy(env),  # a fresh list each time: shared objects become YAML anchors
        # Ray's object store lives in shared memory; the default 64 MiB of a container is far too small.
        "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],  # noqa: S108 - the pod's shm,
    }


def _pod(container: dict, selector: dict[str, str], gpus: int, extra: dict | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [container],
        "nodeSelector": selector,
        "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory"}}],
        "terminationGracePeriodSeconds": GRACE_SECONDS,
        **(extra or {}),
    }
    if gpus:
        spec["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    return {"metadata": {"labels": dict(MANAGED_BY)}, "spec": spec}


def render_raycluster_spec(
    candidates: tuple[PoolCandidate, ...],
    workers: int,
    first: Where,
    artifact_url: str,
    cpus: int = 4,
    gpus: int = 1,
    memory_gib: int = 16,
) -> dict[str, Any]:
    """The ``RayClusterSpec``: an on-demand head, a group per candidate pool and an on-demand group."""
    if not candidates:
        raise ValueError("a KubeRay cluster needs the plan's candidate pools")
    image = SSKAI_RAY_GPU_IMAGE if gpus else SSKAI_RAY_IMAGE
    store_env = [{"name": "SSKAI_ARTIFACT_URL", "value": artifact_url}]
    head_env = [
        *store_env,
        {
            "name": "SSKAI_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": STORE_SECRET, "key": "database-url"}},
        },
    ]
    head = {
        # The head runs the driver and Ray Train's controller, never training workers: no CPUs for them.
        "rayStartParams": {"num-cpus": "0", "dashboard-host": "0.0.0.0"},  # noqa: S104 - inside the pod,
        "template": _pod(
            _container("ray-head", SSKAI_RAY_IMAGE, 2, 0, 8, head_env),
            {CAPACITY_TYPE: "on-demand"},
            0,
        ),
    }
    replicas = replicas_for(first, len(candidates), workers)
    groups = []
    for index, (name, count) in enumerate(zip(group_names(candidates), replicas, strict=True)):
        on_demand = index == len(candidates)
        pool = candidates[0] if on_demand else candidates[index]
        selector = {CAPACITY_TYPE: "on-demand" if on_demand else "spot", INSTANCE_TYPE: pool.instance_type}
        if not on_demand:
            selector[ZONE if pool.zone else REGION] = pool.zone or pool.region
        else:
            selector[REGION] = pool.region
        groups.append(
            {
                "groupName": name,
                "replicas": count,
                "minReplicas": 0,
                "maxReplicas": workers,
                # Ray node labels: where each worker is, for the timeline and the metering.
                "labels": {POOL_LABEL: name, "sskai.io/capacity": "on-demand" if on_demand else "spot"},
                "rayStartParams": {},
                "template": _pod(_container("ray-worker", image, cpus, gpus, memory_gib, store_env), selector, gpus),
            }
        )
    return {"rayVersion": RAY_VERSION, "headGroupSpec": head, "workerGroupSpecs": groups}


def _metadata(name: str, namespace: str, training_id: str) -> dict[str, Any]:
    return {"name": dns_name(name), "namespace": namespace, "labels": {**MANAGED_BY, "sskai.io/training": training_id}}


def render_raycluster(name: str, namespace: str, spec: dict[str, Any], training_id: str) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": _metadata(name, namespace, training_id),
        "spec": spec,
    }


def render_rayjob(name: str, namespace: str, spec: dict[str, Any], training_id: str) -> dict[str, Any]:
    """A RayJob that runs the stored training's driver on the head, and ends its cluster when done."""
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": _metadata(name, namespace, training_id),
        "spec": {
            "entrypoint": f"python -m sskai.kuberay.driver {training_id}",
            "rayClusterSpec": spec,
            "shutdownAfterJobFinishes": True,
            "ttlSecondsAfterFinished": 600,
            # The driver's own retries are sskai's (a rerun resumes from the newest checkpoint), not the Job's.
            "backoffLimit": 0,
        },
    }


def render_spot_agent(namespace: str, gcs_address: str, image: str = SSKAI_RAY_IMAGE) -> list[dict[str, Any]]:
    """The spot node agent on every spot node, and what it may read: the Ray pods on its own node."""
    name = "sskai-spot-agent"
    labels = {**MANAGED_BY, "app.kubernetes.io/name": name}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": name, "namespace": namespace},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
        },
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "serviceAccountName": name,
                        # The instance metadata service answers the node, not a pod behind NAT.
                        "hostNetwork": True,
                        "nodeSelector": {CAPACITY_TYPE: "spot"},
                        "tolerations": [{"operator": "Exists"}],
                        "containers": [
                            {
                                "name": "agent",
                                "image": image,
                                "command": ["python", "-m", "sskai.spot.agent"],
                                "args": [
                                    "--gcs-address",
                                    gcs_address,
                                    "--k8s-node",
                                    "$(NODE_NAME)",
                                    "--namespace",
                                    namespace,
                                ],
                                "env": [
                                    {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}
                                ],
                                "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}},
                            }
                        ],
                    },
                },
            },
        },
    ]
