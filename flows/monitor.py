"""Monitor flow: meter every endpoint, publish the cost ledger, and alert on budgets (run it on a schedule)."""

from __future__ import annotations

from prefect import flow

from tasks.budgets import raise_budget_alerts
from tasks.monitor import MonitorResult, meter_all_endpoints, publish_cost_summary, reap_abandoned_work


@flow(name="monitor")
def monitor_flow() -> MonitorResult:
    return MonitorResult(
        endpoints=meter_all_endpoints(),
        abandoned=reap_abandoned_work(),
        costs=publish_cost_summary(),
        budget_alerts=raise_budget_alerts(),
    )
