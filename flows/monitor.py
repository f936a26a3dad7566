"""Monitor flow: meter every endpoint, publish the cost ledger, and alert on budgets (run it on a schedule)."""

from __future__ import annotations

from prefect import flow

from sskai.ledger import LedgerRow
from tasks.budgets import raise_budget_alerts
from tasks.monitor import meter_all_endpoints, publish_cost_summary, reap_abandoned_work


@flow(name="monitor")
def monitor_flow() -> dict[str, list[dict] | list[LedgerRow] | list[str]]:
    readings = meter_all_endpoints()
    abandoned = reap_abandoned_work()
    costs = publish_cost_summary()
    return {"endpoints": readings, "abandoned": abandoned, "costs": costs, "budget_alerts": raise_budget_alerts()}
