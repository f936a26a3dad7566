"""Karpenter NodePools written from an election: one spot pool per accelerator-memory tier.

Pure rendering: the election decides the instance types; this turns them into ``karpenter.sh/v1``
manifests (plus the ``EC2NodeClass`` they reference) for the cluster's region.
"""

from __future__ import annotations

from typing import Any

import yaml

from sskai.election.base import ElectionResult

NODE_CLASS = "sskai-gpu"
MANAGED_BY = {"app.kubernetes.io/managed-by": "sskai"}
# Nodes are recycled monthly for AMI and driver updates, well inside a spot instance's usual life.
EXPIRE_AFTER = "720h"
# Empty or under-used spot GPUs cost money by the second: consolidate quickly.
CONSOLIDATE_AFTER = "1m"
GPU_LIMIT_PER_POOL = "64"


def pool_name(tier_gib: float) -> str:
    return f"sskai-gpu-{round(tier_gib)}g"


def render_nodepools(result: ElectionResult, catalog_source: str = "") -> list[dict[str, Any]]:
    """NodePools for every tier of ``result`` that has candidates, smallest memory first."""
    manifests = []
    for weight, (tier, candidates) in enumerate(sorted(result.tiers.items())):
        types = sorted({c.instance_type for c in candidates})
        if not types:
            continue
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
