"""Karpenter NodePools written from an election: one spot pool per accelerator-memory tier.

Pure rendering: the election decides the instance types; this turns them into ``karpenter.sh/v1``
manifests (plus the ``EC2NodeClass`` they reference) for the cluster's region.

Diversified on purpose: a pool lists at least ``MIN_TYPES_PER_POOL`` instance types (topped up with
the best types of the larger tiers, which hold the pod too) and sets no zone requirement, so every
zone the node class's subnets reach stays open. When one (type, zone) pool is reclaimed Karpenter
has somewhere else to go. Each pool is annotated with its types' calibrated hazards and the chance
that at least one of them has capacity (independence assumed).
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from sskai.election.base import Candidate, ElectionResult

NODE_CLASS = "sskai-gpu"
MANAGED_BY = {"app.kubernetes.io/managed-by": "sskai"}
# Nodes are recycled monthly for AMI and driver updates, well inside a spot instance's usual life.
EXPIRE_AFTER = "720h"
# Empty or under-used spot GPUs cost money by the second: consolidate quickly.
CONSOLIDATE_AFTER = "1m"
GPU_LIMIT_PER_POOL = "64"
MIN_TYPES_PER_POOL = 3
ONDEMAND_POOL = "sskai-ondemand"
# Ray's head needs memory more than cores (it runs no training): on-demand types with at least 8 GiB.
HEAD_MIN_MEMORY_GIB = 8.0


def _diversified(result: ElectionResult, tier: float) -> list[Candidate]:
    """The tier's candidates, topped up from larger tiers (best first) to ``MIN_TYPES_PER_POOL`` types."""
    chosen = list(result.tiers[tier])
    types = {c.instance_type for c in chosen}
    larger = sorted(
        (c for t, cs in result.tiers.items() if t > tier for c in cs), key=lambda c: (-c.score, c.instance_type)
    )
    for candidate in larger:
        if len(types) >= MIN_TYPES_PER_POOL:
            break
        if candidate.instance_type not in types:
            chosen.append(candidate)
            types.add(candidate.instance_type)
    return chosen


def _risk_annotations(candidates: list[Candidate]) -> dict[str, str]:
    """Each type's calibrated hazard, and the chance that at least one type has capacity (independent pools)."""
    hazards = {c.instance_type: c.numbers.get("risk_hazard_per_hour") for c in candidates}
    availabilities = {c.instance_type: c.numbers.get("risk_availability") for c in candidates}
    if None in hazards.values() or None in availabilities.values():
        return {}
    none_available = math.prod(1.0 - a for a in availabilities.values())
    return {
        "sskai.io/hazard-per-hour": ", ".join(f"{t}={h:.3f}" for t, h in sorted(hazards.items())),
        "sskai.io/any-type-available": f"{1.0 - none_available:.3f}",
    }


def pool_name(tier_gib: float) -> str:
    return f"sskai-gpu-{round(tier_gib)}g"


def render_nodepools(result: ElectionResult, catalog_source: str = "") -> list[dict[str, Any]]:
    """NodePools for every tier of ``result`` that has candidates, smallest memory first."""
    manifests = []
    for weight, tier in enumerate(sorted(result.tiers)):
        if not result.tiers[tier]:
            continue
        candidates = _diversified(result, tier)
        types = sorted({c.instance_type for c in candidates})
        manifests.append(
            {
                "apiVersion": "karpenter.sh/v1",
                "kind": "NodePool",
                "metadata": {
                    "name": pool_name(tier),
                    "labels": dict(MANAGED_BY),
                    "annotations": {
                        "sskai.io/election": result.election,
                        "sskai.io/catalog": catalog_source or "unknown",
                        **_risk_annotations(candidates),
                    },
                },
                "spec": {
                    "template": {
                        "metadata": {"labels": {"sskai.io/accelerator-memory-gib": str(round(tier))}},
                        "spec": {
                            "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": NODE_CLASS},
                            "requirements": [
                                {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]},
                                {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": types},
                            ],
                            "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
                            "expireAfter": EXPIRE_AFTER,
                        },
                    },
                    "disruption": {
                        "consolidationPolicy": "WhenEmptyOrUnderutilized",
                        "consolidateAfter": CONSOLIDATE_AFTER,
                    },
                    "limits": {"nvidia.com/gpu": GPU_LIMIT_PER_POOL},
                    # Smaller tiers first: a pod that fits a 16 GiB GPU should not land on an 80 GiB one.
                    "weight": max(1, 100 - weight),
                },
            }
        )
    return manifests


def render_ondemand_nodepool(result: ElectionResult, head_types: list[str]) -> dict[str, Any]:
    """The on-demand NodePool: Ray heads (never preempted: the driver lives there) and the spot policy's
    on-demand fallback for the workers, on the spot pools' own GPU types."""
    gpu_types = sorted({c.instance_type for cs in result.tiers.values() for c in cs})
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": ONDEMAND_POOL, "labels": dict(MANAGED_BY)},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": NODE_CLASS},
                    "requirements": [
                        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]},
                        {
                            "key": "node.kubernetes.io/instance-type",
                            "operator": "In",
                            "values": [*head_types, *gpu_types],
                        },
                    ],
                    "expireAfter": EXPIRE_AFTER,
                },
            },
            # A running head is never consolidated away from under its training.
            "disruption": {"consolidationPolicy": "WhenEmpty", "consolidateAfter": CONSOLIDATE_AFTER},
            # Spot first: on demand only where a pod asks for it by its capacity-type selector.
            "weight": 1,
        },
    }


def render_node_class(cluster_name: str = "sskai") -> dict[str, Any]:
    def discovery() -> list[dict[str, Any]]:  # a fresh list each time: shared objects become YAML anchors
        return [{"tags": {"karpenter.sh/discovery": cluster_name}}]

    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": NODE_CLASS, "labels": dict(MANAGED_BY)},
        "spec": {
            "amiSelectorTerms": [{"alias": "al2023@latest"}],
            "role": f"KarpenterNodeRole-{cluster_name}",
            "subnetSelectorTerms": discovery(),
            "securityGroupSelectorTerms": discovery(),
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": "200Gi", "volumeType": "gp3"}}],
        },
    }


def to_yaml(manifests: list[dict[str, Any]]) -> str:
    header = "# Written by sskai from the instance election. Do not edit: the pricing-refresh flow rewrites it.\n"
    return header + yaml.safe_dump_all(manifests, sort_keys=False)


def pools_summary(manifests: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pool name -> instance types: what a change of answer is measured on."""
    return {
        m["metadata"]["name"]: next(
            r["values"]
            for r in m["spec"]["template"]["spec"]["requirements"]
            if r["key"] == "node.kubernetes.io/instance-type"
        )
        for m in manifests
        if m["kind"] == "NodePool"
    }


def diff_pools(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, Any]:
    changed = {}
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        if old != new:
            changed[name] = {"added": sorted(new - old), "removed": sorted(old - new)}
    return changed
