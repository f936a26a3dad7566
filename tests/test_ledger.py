"""The ledger says what was saved, or plainly how much dearer and why; one set of sections feeds every front end."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console

from sskai.catalog import load_catalog
from sskai.kinds import ResourceKind
from sskai.ledger import LedgerGrouping, LedgerRow, cost_frame, describe_saving, ledger_rows
from sskai.metering import SAGEMAKER_SERVERLESS, record_node_cost, record_serverless_cost
from sskai.reports import ledger_section, recommendation_sections, to_markdown
from sskai.store.metadata import utcnow
from tests.test_recommend import SMALL
from ui.render import print_sections


@pytest.mark.parametrize(
    ("paid", "instead", "fee", "said"),
    [
        (0.2, 1.0, 0.0, "80.0% saved vs on-demand g4dn.xlarge"),
        (3.1, 1.0, 2.0, "3.1× what on-demand g4dn.xlarge would cost: Lambda's per-request fee dominates at this load"),
        (3.1, 1.0, 0.1, "3.1× what on-demand g4dn.xlarge would cost"),
        (
            10.127,
            1.0,
            9.0,
            "10× what on-demand g4dn.xlarge would cost: Lambda's per-request fee dominates at this load",
        ),
        (0.0, 0.0, 0.0, "nothing to compare"),
    ],
)
def test_a_saving_is_said_plainly(paid: float, instead: float, fee: float, said: str) -> None:
    assert describe_saving(paid, instead, "on-demand g4dn.xlarge", fee) == said


def test_a_serverless_endpoint_dearer_than_sagemaker_says_why(stores) -> None:
    catalog, now = load_catalog(), utcnow()
    # A tiny, fast model called often: Lambda's per-request fee is nearly the whole bill.
    record_serverless_cost(
        stores,
        catalog,
        resource_id="e1",
        owner="tester",
        memory_mb=512,
        busy_seconds=2.0,
        requests=5_000,
        period_start=now - timedelta(hours=1),
        period_end=now,
    )
    record_node_cost(
        stores,
        catalog,
        resource_kind=ResourceKind.TRAINING,
        resource_id="t1",
        owner="tester",
        instance_type="g4dn.xlarge",
        region="us-east-1",
        seconds=600,
        period_start=now - timedelta(hours=2),
    )
    rows = {row.group: row for row in ledger_rows(cost_frame(stores), LedgerGrouping.KIND)}
    endpoint, training = rows["endpoint"], rows["training"]
    assert endpoint.instead == SAGEMAKER_SERVERLESS and endpoint.paid_usd > endpoint.instead_usd
    assert endpoint.saving.endswith(
        f"what {SAGEMAKER_SERVERLESS} would cost: Lambda's per-request fee dominates at this load"
    )
    prices = catalog.aws_lambda
    lambda_bill = 0.5 * 2.0 * prices.usd_per_gb_second + 5_000 * prices.usd_per_million_requests / 1e6
    ratio = lambda_bill / (0.5 * 2.0 * prices.sagemaker_serverless_usd_per_gb_second)
    assert endpoint.saving.startswith(f"{ratio:,.0f}× what") and "%" not in endpoint.saving
    assert training.saving.endswith("% saved vs on-demand g4dn.xlarge") and training.saving_usd > 0


def test_the_same_sections_reach_markdown_and_the_terminal() -> None:
    rows = [LedgerRow(group="training", paid_usd=0.2, instead_usd=1.0, instead="on-demand g4dn.xlarge", simulated=True)]
    section = ledger_section(rows, LedgerGrouping.KIND)
    markdown = to_markdown([section])
    assert section.note.startswith("simulated metering")
    assert ledger_section([rows[0].model_copy(update={"simulated": False})], LedgerGrouping.KIND).note == ""
    assert "## Costs by kind" in markdown and "| training | 0.2000 | 1.0000 | 0.8000 | 80.0% saved" in markdown
    terminal = io.StringIO()
    print_sections(Console(file=terminal, width=200), [section])
    assert "Costs by kind" in terminal.getvalue() and "80.0% saved vs on-demand g4dn.xlarge" in terminal.getvalue()

    from sskai.catalog import load_catalog as catalog
    from sskai.recommend import recommend

    advice = recommendation_sections(recommend(SMALL, catalog()))
    assert [s.title.split(":")[0] for s in advice] == ["Serve", "Train"]
    assert all(line in to_markdown(advice) for s in advice for line in s.lines)
