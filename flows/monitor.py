"""Monitor flow: meter every endpoint and publish the cost ledger (run it on a schedule)."""

from __future__ import annotations

from prefect import flow

from sskai.ledger import LedgerRow
from tasks.monitor import meter_all_endpoints, publish_cost_summary, reap_abandoned_work


@flow(name="monitor")
def monitor_flow() -> dict[str, list[dict] | list[LedgerRow] | list[str]]:
    readings = meter_all_endpoints()
    abandoned = reap_abandoned_work()
    return {"endpoints": readings, "abandoned": abandoned, "costs": publish_cost_summary()}
