"""Monitor: meter running endpoints, notice dead ones, and roll the cost ledger up by day and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pandas as pd

from sskai.catalog.catalog import Catalog
from sskai.metering import record_node_cost, record_serverless_cost
from sskai.serving.process import is_alive
from sskai.store.metadata import CostRecord, Endpoint, Status, utcnow
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


def meter_endpoints(stores: Stores, catalog: Catalog, now: datetime | None = None) -> list[EndpointReading]:
    """Record the cost of every ready endpoint since it was last metered; mark dead ones failed."""
    readings = []
    for endpoint in stores.metadata.list(Endpoint, owner=stores.settings.owner, status=Status.READY):
        readings.append(_meter_one(stores, catalog, endpoint, now or utcnow()))
    return readings


def _meter_one(stores: Stores, catalog: Catalog, endpoint: Endpoint, now: datetime) -> EndpointReading:
    metrics: dict[str, Any] = {}
    alive = is_alive(endpoint.pid)
    if alive:
        try:
            metrics = read_endpoint_metrics(endpoint.url)
        except httpx.HTTPError as exc:
            alive = False
            metrics = {"error": f"{type(exc).__name__}: {exc}"}
    since = endpoint.metered_until or endpoint.created_at
    seconds = max((now - since).total_seconds(), 0.0)
    record = None
    if endpoint.target == "serverless":
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
            resource_kind="endpoint",
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
        updates.update(status=Status.FAILED, status_reason=f"endpoint process is gone or not answering {metrics}")
        stores.metadata.log(endpoint.owner, "endpoint", endpoint.id, f"endpoint {endpoint.name} is down", "ERROR")
    stores.metadata.update(Endpoint, endpoint.id, **updates)
    return EndpointReading(endpoint.id, endpoint.name, alive, metrics, record.id if record else None)


def cost_frame(stores: Stores) -> pd.DataFrame:
    rows = [
        {
            "day": r.period_start.date(),
            "month": r.period_start.strftime("%Y-%m"),
            "kind": r.resource_kind,
            "pricing": r.pricing,
            "instance_type": r.instance_type,
            "region": r.region,
            "seconds": r.seconds,
            "paid_usd": r.paid_usd,
            "baseline_usd": r.baseline_usd,
            "baseline": r.baseline,
            "period_start": r.period_start,
            "simulated": r.simulated,
        }
        for r in stores.metadata.list(CostRecord, owner=stores.settings.owner)
    ]
    columns = [
        "day",
        "month",
        "kind",
        "pricing",
        "instance_type",
        "region",
        "seconds",
        "paid_usd",
        "baseline_usd",
        "baseline",
        "period_start",
        "simulated",
    ]
    return pd.DataFrame(rows, columns=columns)


def cost_rollup(frame: pd.DataFrame, by: str = "day") -> pd.DataFrame:
    """Paid, what the alternative would have cost, and the saving, per ``by`` (day, month, kind)."""
    if frame.empty:
        return pd.DataFrame(columns=[by, "paid_usd", "baseline_usd", "saving_usd", "saving_pct"])
    rolled = frame.groupby(by, as_index=False)[["paid_usd", "baseline_usd"]].sum()
    rolled["saving_usd"] = rolled["baseline_usd"] - rolled["paid_usd"]
    rolled["saving_pct"] = 100.0 * rolled["saving_usd"] / rolled["baseline_usd"].where(rolled["baseline_usd"] > 0)
    return rolled
