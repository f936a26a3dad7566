"""Budget tasks: raise an alert event when a projection crosses a budget; deliver the alert."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.blocks.core import Block
from prefect.events import emit_event

from sskai.costs.budgets import raise_alerts
from sskai.kinds import Status
from sskai.store.metadata import BudgetAlert, utcnow
from tasks.common import stores

BUDGET_CROSSED = "sskai.budget.crossed"  # the budget-alert deployment's trigger listens for it


@task
def raise_budget_alerts() -> list[str]:
    """One event per budget newly crossed by its month's projection (each crossing once)."""
    alerts = raise_alerts(stores())
    for alert in alerts:
        emit_event(
            event=BUDGET_CROSSED,
            resource={"prefect.resource.id": f"sskai.budget.{alert.owner}", "prefect.resource.name": alert.owner},
            payload={"alert_id": alert.id, "month": alert.month, "projected_usd": alert.projected_usd},
        )
    return [alert.id for alert in alerts]


@task
def deliver_budget_alert(alert_id: str) -> str:
    """Log it, publish it as an artifact, send it to the configured notification block, mark it delivered."""
    s = stores()
    alert = s.metadata.get(BudgetAlert, alert_id)
    message = f"Budget alert for {alert.owner}: {alert.status_reason}"
    get_run_logger().warning(message)
    create_markdown_artifact(f"# Budget alert\n\n{message}\n", key="budget-alert", description=message)
    block = s.settings.alert_notification_block
    if block:
        Block.load(block).notify(message, subject=f"sskai budget alert: {alert.owner} {alert.month}")
    s.metadata.update(BudgetAlert, alert.id, status=Status.READY, delivered_at=utcnow())
    return message
