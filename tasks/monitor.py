"""Monitor tasks: meter endpoints at current prices, reap abandoned work, and publish the cost ledger."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from pydantic import BaseModel, ConfigDict

from sskai.catalog.versions import current_catalog
from sskai.costs.endpoint_metering import EndpointReading, meter_endpoints
from sskai.costs.ledger import LedgerRow, cost_frame, ledger_rows
from sskai.kinds import LedgerGrouping
from sskai.ownership.reaper import Reaped, reap_abandoned
from sskai.reports import ledger_section, to_markdown
from tasks.common import stores


class MonitorResult(BaseModel):
    """One look at the platform: every endpoint metered, abandoned work reaped, the ledger, new budget alerts."""

    model_config = ConfigDict(frozen=True)

    endpoints: list[EndpointReading]
    abandoned: list[Reaped]
    costs: list[LedgerRow]
    budget_alerts: list[str]


@task
def meter_all_endpoints() -> list[EndpointReading]:
    s = stores()
    return meter_endpoints(s, current_catalog(s))


@task
def reap_abandoned_work() -> list[Reaped]:
    """Trainings, profiles and deploys left running by a process that died are marked failed, with the reason."""
    return reap_abandoned(stores())


@task
def publish_cost_summary() -> list[LedgerRow]:
    frame = cost_frame(stores())
    rows = ledger_rows(frame, LedgerGrouping.KIND)
    if rows:
        section = ledger_section(rows, LedgerGrouping.KIND)
        create_markdown_artifact(to_markdown([section]), key="cost-summary", description=section.title)
    return rows
