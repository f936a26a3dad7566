"""Meter running endpoints: each stretch since the last metering becomes a cost record.

What an endpoint served comes from its request counters (read by :mod:`sskai.serving.health`);
one found gone is metered up to now from what it left behind, then marked down.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from sskai.catalog.catalog import Catalog
from sskai.costs.metering import record_node_cost, record_serverless_cost
from sskai.errors import StoredRecordInvalid
from sskai.kinds import ResourceKind, ServingKind, Status
from sskai.serving.health import EndpointHealth, check_health, mark_down
from sskai.serving.requests import RequestCounters
from sskai.serving.samples import record_sample
from sskai.serving.targets import launch_config, target_of
from sskai.store.metadata import CostRecord, Endpoint, utcnow
from sskai.store.stores import Stores


class EndpointReading(BaseModel):
    """One endpoint at one metering: up or not, what it has counted, and the cost record it produced."""

    model_config = ConfigDict(frozen=True)

    endpoint_id: str
    name: str
    alive: bool
    counters: RequestCounters | None
    error: str | None = None
    cost_record_id: str | None = None


def meter_endpoints(stores: Stores, catalog: Catalog, now: datetime | None = None) -> list[EndpointReading]:
    """Record the cost of every ready endpoint since it was last metered; mark dead ones down."""
    readings = []
    for endpoint in stores.metadata.list(Endpoint, owner=stores.settings.owner, status=Status.READY):
        readings.append(_meter_one(stores, catalog, endpoint, now or utcnow()))
    return readings


def _meter_one(stores: Stores, catalog: Catalog, endpoint: Endpoint, now: datetime) -> EndpointReading:
    health = check_health(stores, endpoint)
    if health.alive and health.counters is not None:
        record_sample(stores, endpoint, health.counters, now)
    since = endpoint.metered_until or endpoint.created_at
    record = _record_cost(stores, catalog, endpoint, health, since, now)
    cursor: dict[str, object] = {"metered_until": now}
    if health.counters is not None:
        cursor.update(metered_requests=health.counters.requests, metered_busy_seconds=health.counters.busy_seconds)
    stores.metadata.update(Endpoint, endpoint.id, **cursor)
    if not health.alive:
        mark_down(stores, endpoint, health, now)
    return EndpointReading(
        endpoint_id=endpoint.id,
        name=endpoint.name,
        alive=health.alive,
        counters=health.counters,
        error=health.error,
        cost_record_id=record.id if record else None,
    )


def _priced_as(endpoint: Endpoint) -> str | None:
    """Why the endpoint is metered as its instance type, when no plan chose it; a launch config that cannot be
    read (a record from before launch configs) is no reason to stop metering it."""
    try:
        return launch_config(endpoint).priced_as
    except StoredRecordInvalid:
        return None


def _record_cost(
    stores: Stores, catalog: Catalog, endpoint: Endpoint, health: EndpointHealth, since: datetime, now: datetime
) -> CostRecord | None:
    seconds = max((now - since).total_seconds(), 0.0)
    if endpoint.kind == ServingKind.SERVERLESS:
        counters = health.counters
        requests = (counters.requests if counters else endpoint.metered_requests) - endpoint.metered_requests
        busy = (counters.busy_seconds if counters else 0.0) - endpoint.metered_busy_seconds
        return record_serverless_cost(
            stores,
            catalog,
            resource_id=endpoint.id,
            owner=endpoint.owner,
            memory_mb=launch_config(endpoint).memory_mb or catalog.aws_lambda.memory_mb_min,
            busy_seconds=max(busy, 0.0),
            requests=max(requests, 0),
            period_start=since,
            period_end=now,
        )
    if endpoint.instance_type and endpoint.region:
        # One record per replica node (a replicated endpoint's set as it is now; one process: itself).
        replicas = target_of(endpoint).billed_replicas(endpoint) if health.alive else (endpoint.name,)
        records = [
            record_node_cost(
                stores,
                catalog,
                resource_kind=ResourceKind.ENDPOINT,
                resource_id=endpoint.id,
                owner=endpoint.owner,
                instance_type=endpoint.instance_type,
                region=endpoint.region,
                seconds=seconds,
                period_start=since,
                basis=_priced_as(endpoint),
                replica=replica if replica != endpoint.name else None,
            )
            for replica in replicas
        ]
        return records[0] if records else None
    return None
