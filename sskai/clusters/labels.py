"""Kubernetes names and the labels nodes are chosen by: one home for every manifest sskai renders."""

from __future__ import annotations

import re

# Karpenter's and Kubernetes' well-known labels: the NodePool a pod lands on is chosen by these.
CAPACITY_TYPE = "karpenter.sh/capacity-type"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
ZONE = "topology.kubernetes.io/zone"
REGION = "topology.kubernetes.io/region"
MANAGED_BY = {"app.kubernetes.io/managed-by": "sskai"}
POOL_LABEL = "sskai.io/pool"


def dns_name(text: str, limit: int = 63) -> str:
    """``text`` as a Kubernetes name (RFC 1123: lower-case letters, digits and '-')."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:limit].rstrip("-") or "x"
