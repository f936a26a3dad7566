"""Monitor tasks: meter endpoints at current prices and publish the cost ledger."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from sskai import claims
from sskai.ledger import LedgerGrouping, LedgerRow, cost_frame, ledger_rows
from sskai.monitoring import meter_endpoints
from sskai.pricing import current_catalog
from sskai.reports import ledger_section, to_markdown
from sskai.training.attempts import reap_abandoned
from tasks.common import stores


@task
def meter_all_endpoints() -> list[dict]:
    s = stores()
    readings = meter_endpoints(s, current_catalog(s))
    return [{"endpoint_id": r.endpoint_id, "name": r.name, "alive": r.alive, **r.metrics} for r in readings]


@task
def reap_abandoned_work() -> list[str]:
    """Trainings, profiles and deploys left running by a process that died are marked failed, with the reason."""
    s = stores()
    return [training.id for training in reap_abandoned(s)] + claims.reap_abandoned(s)


@task
def publish_cost_summary() -> list[LedgerRow]:
    frame = cost_frame(stores())
    rows = ledger_rows(frame, LedgerGrouping.KIND)
    if rows:
        section = ledger_section(rows, LedgerGrouping.KIND)
        create_markdown_artifact(to_markdown([section]), key="cost-summary", description=section.title)
    return rows
