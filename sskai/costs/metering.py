"""Cost records: what each resource-second cost and what it replaced. Prices come from the catalog given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sskai.catalog.catalog import Catalog, spot_usd_per_hour
from sskai.catalog.managed import SAGEMAKER_REAL_TIME, SAGEMAKER_TRAINING
from sskai.clusters.base import NodeRun
from sskai.costs.money import lambda_charge, node_seconds_cost, sagemaker_serverless_usd
from sskai.kinds import PricingKind, ResourceKind, Status
from sskai.store.metadata import CostRecord, Training
from sskai.store.stores import Stores
from sskai.units import SECONDS_PER_HOUR

SAGEMAKER_SERVERLESS = "SageMaker Serverless Inference"


def managed_alternative(
    catalog: Catalog, service: str, instance_type: str, region: str, ondemand_usd_per_hour: float, seconds: float
) -> dict[str, Any]:
    """A cost record's managed-service figures: the same instance-seconds as a SageMaker ML instance."""
    if catalog.sagemaker is None or ondemand_usd_per_hour <= 0:
        return {}
    price = catalog.sagemaker.price(instance_type, region, ondemand_usd_per_hour)
    return {
        "managed": service,
        "managed_instance": price.instance,
        "managed_usd": seconds * price.usd_per_hour / SECONDS_PER_HOUR,
        "managed_usd_per_hour": price.usd_per_hour,
        "managed_estimated": price.estimated,
    }


def record_node_cost(
    stores: Stores,
    catalog: Catalog,
    *,
    resource_kind: ResourceKind,
    resource_id: str,
    owner: str,
    instance_type: str,
    region: str,
    seconds: float,
    period_start: datetime,
    node_count: int = 1,
    simulated: bool = True,
    basis: str | None = None,
    replica: str | None = None,
) -> CostRecord:
    """Spot node-seconds at the pool's spot price, against the on-demand price of the same nodes.

    ``basis``: why these nodes are priced as ``instance_type`` when no plan chose it (said on the record);
    ``replica``: which replica of a replicated endpoint the node ran (one record each)."""
    offer = catalog.offer(instance_type, region)
    cost = node_seconds_cost(offer, seconds, node_count)
    return stores.metadata.add(
        CostRecord(
            owner=owner,
            resource_kind=resource_kind,
            resource_id=resource_id,
            pricing=PricingKind.SPOT,
            instance_type=instance_type,
            region=region,
            node_count=node_count,
            seconds=seconds,
            period_start=period_start,
            period_end=period_start + timedelta(seconds=seconds),
            paid_usd=cost.paid_usd,
            alternative_usd=cost.alternative_usd,
            alternative=f"on-demand {instance_type}",
            simulated=simulated,
            status=Status.READY,
            detail={
                "spot_usd_per_hour": spot_usd_per_hour(offer),
                "ondemand_usd_per_hour": offer.ondemand_usd_per_hour,
                "catalog": catalog.source,
                **({"priced_as": basis} if basis else {}),
                **({"replica": replica} if replica else {}),
                **managed_alternative(
                    catalog,
                    SAGEMAKER_REAL_TIME if resource_kind == ResourceKind.ENDPOINT else SAGEMAKER_TRAINING,
                    instance_type,
                    region,
                    offer.ondemand_usd_per_hour or 0.0,
                    seconds * node_count,
                ),
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
    charge = lambda_charge(catalog.aws_lambda, memory_mb, busy_seconds, requests)
    return stores.metadata.add(
        CostRecord(
            owner=owner,
            resource_kind=ResourceKind.ENDPOINT,
            resource_id=resource_id,
            pricing=PricingKind.SERVERLESS,
            seconds=(period_end - period_start).total_seconds(),
            period_start=period_start,
            period_end=period_end,
            paid_usd=charge.total_usd,
            alternative_usd=sagemaker_serverless_usd(catalog.aws_lambda, memory_mb, busy_seconds),
            alternative=SAGEMAKER_SERVERLESS,
            simulated=simulated,
            status=Status.READY,
            detail={
                "memory_mb": memory_mb,
                "busy_seconds": busy_seconds,
                "requests": requests,
                "request_fee_usd": charge.request_fee_usd,
                "catalog": catalog.source,
                "managed": SAGEMAKER_SERVERLESS,
                "managed_usd": sagemaker_serverless_usd(catalog.aws_lambda, memory_mb, busy_seconds),
            },
        )
    )


def record_node_run_cost(
    stores: Stores,
    *,
    resource_id: str,
    owner: str,
    run: NodeRun,
    until: datetime,
    rework_seconds: float = 0.0,
    simulated: bool = True,
    catalog: Catalog | None = None,
) -> CostRecord | None:
    """One node's life at its own price (spot worker, on-demand head), against on demand for the same work.

    The work a preemption threw away is paid but not counted as work: on demand would not have
    lost it, so it is left out of the on-demand alternative. An unpriced node (no election) records nothing.
    """
    spec, seconds = run.spec, run.seconds(until)
    if spec.usd_per_hour <= 0 and spec.ondemand_usd_per_hour <= 0:
        return None
    useful = max(0.0, seconds - rework_seconds)
    return stores.metadata.add(
        CostRecord(
            owner=owner,
            resource_kind=ResourceKind.TRAINING,
            resource_id=resource_id,
            pricing=PricingKind.SPOT if spec.spot else PricingKind.ON_DEMAND,
            instance_type=spec.instance_type,
            region=spec.region,
            node_count=1,
            seconds=seconds,
            period_start=run.started_at,
            period_end=run.started_at + timedelta(seconds=seconds),
            paid_usd=seconds * spec.usd_per_hour / SECONDS_PER_HOUR,
            alternative_usd=useful * spec.ondemand_usd_per_hour / SECONDS_PER_HOUR,
            alternative=f"on-demand {spec.instance_type}",
            simulated=simulated,
            status=Status.READY,
            detail={
                "slot": spec.slot,
                "node_id": run.node_id,
                "usd_per_hour": spec.usd_per_hour,
                "ondemand_usd_per_hour": spec.ondemand_usd_per_hour,
                "rework_seconds": rework_seconds,
                "end_reason": run.end_reason,
                **(
                    managed_alternative(
                        catalog,
                        SAGEMAKER_TRAINING,
                        spec.instance_type,
                        spec.region,
                        spec.ondemand_usd_per_hour,
                        useful,
                    )
                    if catalog is not None
                    else {}
                ),
            },
        )
    )


def record_transfer_cost(
    stores: Stores, record: Training, usd: float, gigabytes: float, source: str, destination: str
) -> CostRecord:
    """A launch in another region pulled the dataset and the checkpoint across: paid, and on demand in the
    data's region would not have paid it."""
    now = datetime.now(UTC)
    return stores.metadata.add(
        CostRecord(
            owner=record.owner,
            resource_kind=ResourceKind.TRAINING,
            resource_id=record.id,
            pricing=PricingKind.TRANSFER,
            region=destination,
            node_count=0,
            seconds=0.0,
            period_start=now,
            period_end=now,
            paid_usd=usd,
            alternative_usd=0.0,
            alternative=f"no transfer: on demand in {source}",
            simulated=True,
            status=Status.READY,
            detail={"gigabytes": gigabytes, "from": source, "to": destination},
        )
    )
