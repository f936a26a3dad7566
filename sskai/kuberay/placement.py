"""The spot controller's decisions carried out on KubeRay: the job's workers move between worker groups by ``replicas``.

One group per candidate pool plus the on-demand group (``manifests.group_names``). A decision sets
the chosen group to the job's workers and every other group to zero, in one JSON patch, with the
reason as an annotation: KubeRay then creates the new pods (Karpenter the nodes under them) and
removes the old ones, whose Ray nodes Ray Train sees go and restarts from the newest checkpoint.
"""

from __future__ import annotations

from sskai.kuberay.client import KubeRayApi
from sskai.kuberay.manifests import replicas_for
from sskai.spot.decisions import Where

DECISION_ANNOTATION = "sskai.io/last-decision"


class KubeRayPlacement:
    """A ``Placement`` (``sskai.spot.controller``) over one RayCluster's worker groups."""

    def __init__(self, api: KubeRayApi, cluster_name: str, groups: tuple[str, ...], workers: int) -> None:
        """``groups``: the candidates' groups, then the on-demand group, as rendered."""
        self.api, self.cluster_name, self.groups, self.workers = api, cluster_name, groups, workers
        self.placed: list[tuple[Where, tuple[int, ...]]] = []

    def place(self, where: Where, reason: str) -> None:
        counts = replicas_for(where, len(self.groups) - 1, self.workers)
        self.api.set_replicas(
            self.cluster_name, dict(zip(self.groups, counts, strict=True)), {DECISION_ANNOTATION: reason}
        )
        self.placed.append((where, counts))
