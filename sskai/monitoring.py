"""Monitor: meter running endpoints and notice dead ones (the ledger itself is :mod:`sskai.ledger`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from sskai.catalog.catalog import Catalog
from sskai.kinds import ResourceKind, ServingKind, Status
from sskai.metering import record_node_cost, record_serverless_cost
from sskai.serving.process import METRICS_FILE
from sskai.serving.requests import read_counters
from sskai.serving.supervisor import DOWN_AT
from sskai.serving.targets import target_of
from sskai.store.metadata import Endpoint, utcnow
from sskai.store.stores import Stores


@dataclass(frozen=True)
class EndpointReading:
    endpoint_id: str
    name: str
    alive: bool
    metrics: dict[str, Any]
    cost_record_id: str | None


def read_endpoint_metrics(url: str, timeout_seconds: float = 5.0) -> dict[str, Any]:
    response = httpx.get(f"{url}/metrics", timeout=timeout_seconds)
    response.raise_for_status()
    return response.json()


def kept_counters(stores: Stores, endpoint: Endpoint) -> dict[str, float]:
    """The counters a dead local endpoint left behind, so that the requests it served still reach the ledger."""
    path = stores.settings.endpoints_dir / endpoint.id / METRICS_FILE
    return read_counters(path) if path.exists() else {}


def meter_endpoints(stores: Stores, catalog: Catalog, now: datetime | None = None) -> list[EndpointReading]:
    """Record the cost of every ready endpoint since it was last metered; mark dead ones failed."""
    readings = []
    for endpoint in stores.metadata.list(Endpoint, owner=stores.settings.owner, status=Status.READY):
        readings.append(_meter_one(stores, catalog, endpoint, now or utcnow()))
    return readings


def _meter_one(stores: Stores, catalog: Catalog, endpoint: Endpoint, now: datetime) -> EndpointReading:
    metrics: dict[str, Any] = {}
    alive = target_of(endpoint).is_alive(endpoint)
    if alive:
        try:
            metrics = read_endpoint_metrics(endpoint.url)
        except httpx.HTTPError as exc:
            alive = False
            metrics = {"error": f"{type(exc).__name__}: {exc}"}
    if not alive:
        metrics = {**kept_counters(stores, endpoint), **metrics}
    since = endpoint.metered_until or endpoint.created_at
    seconds = max((now - since).total_seconds(), 0.0)
    record = None
    if endpoint.target == ServingKind.SERVERLESS:
        requests = int(metrics.get("requests", endpoint.metered_requests)) - endpoint.metered_requests
        busy = float(metrics.get("busy_seconds", 0.0)) - float(endpoint.config.get("metered_busy_seconds", 0.0))
        record = record_serverless_cost(
            stores,
            catalog,
            resource_id=endpoint.id,
            owner=endpoint.owner,
            memory_mb=int(endpoint.config.get("memory_mb") or catalog.aws_lambda.memory_mb_min),
            busy_seconds=max(busy, 0.0),
            requests=max(requests, 0),
            period_start=since,
            period_end=now,
        )
    elif endpoint.instance_type and endpoint.region:
        record = record_node_cost(
            stores,
            catalog,
            resource_kind=ResourceKind.ENDPOINT,
            resource_id=endpoint.id,
            owner=endpoint.owner,
            instance_type=endpoint.instance_type,
            region=endpoint.region,
            seconds=seconds,
            period_start=since,
        )
    updates: dict[str, Any] = {"metered_until": now}
    if "requests" in metrics:
        updates["metered_requests"] = int(metrics["requests"])
        updates["config"] = {**endpoint.config, "metered_busy_seconds": float(metrics.get("busy_seconds", 0.0))}
    if not alive:
        # A supervisor (under `sskai up`) restarts it: DOWN_AT tells it when it was found gone.
        updates.update(status=Status.FAILED, status_reason=f"endpoint process is gone or not answering {metrics}")
        updates["config"] = {**updates.get("config", endpoint.config), DOWN_AT: now.timestamp()}
        stores.metadata.log(
            endpoint.owner, ResourceKind.ENDPOINT, endpoint.id, f"endpoint {endpoint.name} is down", "ERROR"
        )
    stores.metadata.update(Endpoint, endpoint.id, **updates)
    return EndpointReading(endpoint.id, endpoint.name, alive, metrics, record.id if record else None)
