"""Monitor tasks: meter endpoints and publish the cost ledger."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from sskai.catalog import load_catalog
from sskai.monitoring import cost_frame, cost_rollup, meter_endpoints
from tasks.common import stores


@task
def meter_all_endpoints() -> list[dict]:
    readings = meter_endpoints(stores(), load_catalog())
    return [{"endpoint_id": r.endpoint_id, "name": r.name, "alive": r.alive, **r.metrics} for r in readings]


@task
def publish_cost_summary() -> list[dict]:
    rolled = cost_rollup(cost_frame(stores()), by="kind")
    rows = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}  # NaN is not JSON
        for row in rolled.to_dict(orient="records")
    ]
    if rows:
        create_table_artifact(rows, key="cost-summary", description="Paid vs what it replaced, per resource kind")
    return rows
