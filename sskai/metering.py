"""Cost records: what each resource-second cost and what it replaced. Prices come from the catalog."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sskai.catalog.catalog import Catalog
from sskai.costs import lambda_cost, node_seconds_cost, spot_usd_per_hour
from sskai.store.metadata import CostRecord, Status
from sskai.store.stores import Stores


def record_node_cost(
    stores: Stores,
    catalog: Catalog,
    *,
    resource_kind: str,
    resource_id: str,
    owner: str,
    instance_type: str,
    region: str,
    seconds: float,
    period_start: datetime,
    node_count: int = 1,
    simulated: bool = True,
) -> CostRecord:
    """Spot node-seconds at the pool's spot price, against the on-demand price of the same nodes."""
    offer = catalog.offer(instance_type, region)
    cost = node_seconds_cost(offer, seconds, node_count)
    return stores.metadata.add(
        CostRecord(
            owner=owner,
            resource_kind=resource_kind,
            resource_id=resource_id,
            pricing="spot",
            instance_type=instance_type,
            region=region,
            node_count=node_count,
            seconds=seconds,
            period_start=period_start,
            period_end=period_start + timedelta(seconds=seconds),
            paid_usd=cost.paid_usd,
            baseline_usd=cost.baseline_usd,
            baseline=f"on-demand {instance_type}",
            simulated=simulated,
            status=Status.READY,
            detail={
                "spot_usd_per_hour": spot_usd_per_hour(offer),
                "ondemand_usd_per_hour": offer.ondemand_usd_per_hour,
            },
        )
    )


def record_serverless_cost(
    stores: Stores,
    catalog: Catalog,
    *,
    resource_id: str,
    owner: str,
    memory_mb: int,
    busy_seconds: float,
    requests: int,
    period_start: datetime,
    period_end: datetime,
    simulated: bool = True,
) -> CostRecord:
    """Lambda bills busy GB-seconds and requests; the managed alternative is SageMaker Serverless Inference."""
    pricing = catalog.aws_lambda
    paid = lambda_cost(pricing, memory_mb, busy_seconds, requests)
    baseline = (memory_mb / 1024.0) * busy_seconds * pricing.sagemaker_serverless_usd_per_gb_second
    detail: dict[str, Any] = {"memory_mb": memory_mb, "busy_seconds": busy_seconds, "requests": requests}
    return stores.metadata.add(
        CostRecord(
            owner=owner,
            resource_kind="endpoint",
            resource_id=resource_id,
            pricing="serverless",
            seconds=(period_end - period_start).total_seconds(),
            period_start=period_start,
            period_end=period_end,
            paid_usd=paid,
            baseline_usd=baseline,
            baseline="SageMaker Serverless Inference",
            simulated=simulated,
            status=Status.READY,
            detail=detail,
        )
    )
