"""Budget alert flow: run by the trigger on ``sskai.budget.crossed`` events that the monitor emits."""

from __future__ import annotations

from prefect import flow

from tasks.budgets import deliver_budget_alert


@flow(name="budget-alert")
def budget_alert_flow(alert_id: str) -> str:
    """Deliver one budget alert: the flow run log, an artifact, and the configured notification block."""
    return deliver_budget_alert(alert_id)
