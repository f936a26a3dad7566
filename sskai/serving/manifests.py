"""Kubernetes manifests for a replicated endpoint: a Deployment per spot pool, one on demand, one Service.

Pure rendering, as the NodePools and RayClusters are. The spot replicas are placed by the fleet
planner (``sskai.serving.fleet``: the spot policy, one slot per replica, on the candidates' calibrated
risk) on pools with room, spread so that one pool's reclaim takes as few of them as it can
(SpotHedge's spreading); the on-demand Deployment holds the floor, on the instance type the policy
ranks first, and is where the fallback adds replicas while spot is short. Each pod is a full sskai
endpoint (its own key check, sandboxed workers), ready when ``/health`` answers, and given the two
minutes of a spot notice to finish what it holds: it leaves the Service first (``preStop``), then
drains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sskai.clusters.labels import CAPACITY_TYPE, INSTANCE_TYPE, MANAGED_BY, POOL_LABEL, ZONE, dns_name
from sskai.plans import PoolCandidate
from sskai.risk.model import PoolRisk
from sskai.serving.fleet import FleetPlanner, FleetTarget, serving_job
from sskai.serving.process import EndpointLimits
from sskai.spot.policy import Past, PoolInfo

PORT = 8000
NOTICE_SECONDS = 120  # EC2's spot interruption notice: what a pod is given to finish
KEY_HASH_FILE = "/var/run/sskai/api-key-sha256"
BUNDLE_DIR = "/opt/bundle"  # baked into the endpoint's image (infra/serving/Dockerfile)
# The server reads the key's hash on standard input (never argv or the environment): feed it the Secret.
LAUNCH = f'exec python -m sskai.serving.server "$@" < {KEY_HASH_FILE}'


def _placed(candidates: tuple[PoolCandidate, ...], replicas: int, policy: str) -> FleetPlanner:
    """The fleet planner after its first tick on empty pools, each with room for every replica."""
    pools = tuple(
        PoolInfo(
            c.name,
            c.region,
            c.instance_type,
            PoolRisk(c.hazard_per_hour, c.availability, c.mean_wait_hours, "candidate", c.risk_basis),
        )
        for c in candidates
    )
    ondemand = max(c.ondemand_usd_per_hour for c in candidates)
    capacity = np.full((len(candidates), 1), replicas)
    prices = np.array([[c.spot_usd_per_hour] for c in candidates])
    job = serving_job(pools, ondemand, tick_seconds=60.0)
    planner = FleetPlanner(FleetTarget(spot_wanted=replicas, floor=0, policy=policy), job, past_of(capacity, prices), 0)
    planner.step(0, capacity[:, 0], prices[:, 0], ondemand_now=0)
    return planner


def past_of(capacity: np.ndarray, prices: np.ndarray) -> Callable[[int], Past]:
    return lambda at: Past(capacity, prices, at, 60.0)


def spread(candidates: tuple[PoolCandidate, ...], replicas: int, policy: str = "sskai") -> dict[str, int]:
    """Spot replicas per pool (``name`` -> count): where the fleet planner places them on empty pools."""
    if not candidates:
        return {}
    held = _placed(candidates, replicas, policy).held()
    return {c.name: int(n) for c, n in zip(candidates, held, strict=True)}


def first_choice(candidates: tuple[PoolCandidate, ...], policy: str = "sskai") -> PoolCandidate:
    """The pool the policy places a lone replica on: the floor runs its instance type, on demand."""
    where = _placed(candidates, 1, policy).slots[0].progress.where
    return candidates[where.pool if where.pool is not None else 0]


def _deployment(
    name: str, app: str, pool: str, replicas: int, selector: dict[str, str], image: str, args: list[str], gpus: int
) -> dict[str, Any]:
    resources: dict[str, Any] = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "8Gi"}}
    pod: dict[str, Any] = {
        "terminationGracePeriodSeconds": NOTICE_SECONDS,
        "nodeSelector": selector,
        "containers": [
            {
                "name": "endpoint",
                "image": image,
                "command": ["sh", "-c", LAUNCH, "sskai-endpoint"],
                "args": args,
                "ports": [{"name": "http", "containerPort": PORT}],
                "readinessProbe": {"httpGet": {"path": "/health", "port": PORT}, "periodSeconds": 2},
                "livenessProbe": {"httpGet": {"path": "/health", "port": PORT}, "periodSeconds": 10},
                # Out of the Service's endpoints before it stops taking requests; SIGTERM then drains it.
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
                "resources": resources,
                "volumeMounts": [{"name": "api-key", "mountPath": "/var/run/sskai", "readOnly": True}],
            }
        ],
        "volumes": [{"name": "api-key", "secret": {"secretName": f"{app}-api-key"}}],
    }
    if gpus:
        resources["limits"]["nvidia.com/gpu"] = str(gpus)
        pod["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    labels = {"app": app, POOL_LABEL: pool}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {**MANAGED_BY, **labels}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},  # copies: a shared dict would be a YAML anchor
            "template": {"metadata": {"labels": dict(labels)}, "spec": pod},
        },
    }


def render_endpoint(
    endpoint: str,
    image: str,
    spec_json: str,
    limits: EndpointLimits,
    candidates: tuple[PoolCandidate, ...],
    spot_replicas: int,
    floor: int,
    gpus: int = 1,
) -> list[dict[str, Any]]:
    """A Deployment per candidate pool (its share of ``spot_replicas``), the on-demand one, the Service."""
    if spot_replicas and not candidates:
        raise ValueError("spot replicas need at least one candidate pool")
    app = dns_name(f"sskai-endpoint-{endpoint}", 50)
    args = ["--bundle", BUNDLE_DIR, "--spec", spec_json, "--name", endpoint, "--host", "0.0.0.0"]  # noqa: S104
    args += ["--port", str(PORT), "--scratch", "/tmp/sskai/workers", "--limits", limits.model_dump_json()]  # noqa: S108
    manifests = []
    counts = spread(candidates, spot_replicas)
    for candidate in candidates:
        pool = dns_name(f"spot-{candidate.instance_type}-{candidate.zone or candidate.region}", 40)
        selector = {CAPACITY_TYPE: "spot", INSTANCE_TYPE: candidate.instance_type}
        if candidate.zone:
            selector[ZONE] = candidate.zone
        name = dns_name(f"{app}-{pool}")
        manifests.append(_deployment(name, app, pool, counts[candidate.name], selector, image, args, gpus))
    ondemand = {CAPACITY_TYPE: "on-demand"}
    if candidates:
        ondemand[INSTANCE_TYPE] = first_choice(candidates).instance_type
    manifests.append(_deployment(dns_name(f"{app}-on-demand"), app, "on-demand", floor, ondemand, image, args, gpus))
    manifests.append(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": app, "labels": {**MANAGED_BY, "app": app}},
            "spec": {"selector": {"app": app}, "ports": [{"name": "http", "port": 80, "targetPort": PORT}]},
        }
    )
    return manifests
