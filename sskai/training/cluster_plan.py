"""The nodes a training asks for: its elected spot instance once per worker, and an on-demand head."""

from __future__ import annotations

from dataclasses import replace

from sskai.catalog.catalog import Catalog, spot_usd_per_hour
from sskai.clusters import ClusterPlan
from sskai.clusters.karpenter import HEAD_MIN_MEMORY_GIB
from sskai.clusters.nodes import NodeSpec
from sskai.store.metadata import Training
from sskai.training.config import TrainingConfig
from sskai.training.spot_run import training_candidates


def cluster_plan(record: Training, catalog: Catalog) -> ClusterPlan:
    """One spot node of the elected type per worker, and the head on demand; unpriced without an election."""
    config = TrainingConfig.model_validate(record.config)
    if not (record.instance_type and record.region):
        return replace(ClusterPlan.unpriced(config.num_workers), name=f"training-{record.id}")
    offer = catalog.offer(record.instance_type, record.region)
    ondemand = offer.ondemand_usd_per_hour if offer.ondemand_usd_per_hour is not None else spot_usd_per_hour(offer)
    workers = tuple(
        NodeSpec(
            slot=f"worker-{index}",
            instance_type=offer.instance_type,
            region=offer.region,
            usd_per_hour=spot_usd_per_hour(offer),
            ondemand_usd_per_hour=ondemand,
            spot=True,
            cpus=1,  # one training worker per node, as one per GPU instance
        )
        for index in range(config.num_workers)
    )
    head_offer = min(
        (o for o in catalog.cpu_offers if o.memory_gib >= HEAD_MIN_MEMORY_GIB), key=lambda o: o.ondemand_usd_per_hour
    )
    head = NodeSpec(
        slot="head",
        instance_type=head_offer.instance_type,
        region=offer.region,
        usd_per_hour=head_offer.ondemand_usd_per_hour,
        ondemand_usd_per_hour=head_offer.ondemand_usd_per_hour,
        spot=False,
        cpus=0,
    )
    return ClusterPlan(head, workers, f"training-{record.id}", training_candidates(record, catalog))
