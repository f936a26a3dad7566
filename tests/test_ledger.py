"""The ledger says what was saved, or plainly how much dearer and why; one set of sections feeds every front end."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console

from sskai.catalog import load_catalog
from sskai.kinds import ResourceKind
from sskai.ledger import LedgerGrouping, LedgerRow, cost_frame, cumulative_costs, describe_saving, ledger_rows
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


def g4dn_cost(stores, resource_id: str, seconds: float, at, kind: ResourceKind = ResourceKind.TRAINING):
    """A g4dn.xlarge node's cost record in us-east-1, priced from the shipped catalog."""
    return record_node_cost(
        stores,
        load_catalog(),
        resource_kind=kind,
        resource_id=resource_id,
        owner="tester",
        instance_type="g4dn.xlarge",
        region="us-east-1",
        seconds=seconds,
        period_start=at,
    )


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
    g4dn_cost(stores, "t1", 600, now - timedelta(hours=2))
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
    # The managed alternatives: SageMaker's listed ml.g4dn.xlarge rate for the same 600 s, and Serverless Inference.
    assert training.managed == "SageMaker training"
    assert training.managed_usd == pytest.approx(600 / 3600 * catalog.sagemaker.usd_per_hour["ml.g4dn.xlarge"])
    assert training.managed_saving.endswith("% saved vs SageMaker training")
    assert endpoint.managed == SAGEMAKER_SERVERLESS and endpoint.managed_usd == pytest.approx(endpoint.instead_usd)


def test_the_managed_price_of_an_unlisted_type_is_an_estimate_from_its_on_demand_price() -> None:
    """g6f.large is not in the SageMaker table: EC2 on-demand x the median listed ratio, and marked so."""
    catalog = load_catalog()
    pricing = catalog.sagemaker
    offer = catalog.offer("g6f.large", "us-east-1")
    price = pricing.price("g6f.large", "us-east-1", offer.ondemand_usd_per_hour)
    assert price.estimated and price.instance == "ml.g6f.large"
    assert price.usd_per_hour == pytest.approx(offer.ondemand_usd_per_hour * pricing.markup)
    # The markup is what the table says: ml.p3.2xlarge 3.825 over EC2 p3.2xlarge's 3.06 is 1.25, the median.
    assert pricing.markup == pytest.approx(1.25, abs=0.01)
    listed = pricing.price("g4dn.xlarge", "us-east-1", 0.526)
    assert not listed.estimated and listed.usd_per_hour == 0.7364
    assert pricing.price("g4dn.xlarge", "eu-west-1", 0.587).estimated  # the table is us-east-1's


def test_costs_roll_up_per_resource(stores) -> None:
    now = utcnow()
    for resource_id, seconds in (("aaaaaaaa-1", 600), ("aaaaaaaa-1", 300), ("bbbbbbbb-2", 60)):
        g4dn_cost(stores, resource_id, seconds, now)
    rows = {row.group: row for row in ledger_rows(cost_frame(stores), LedgerGrouping.RESOURCE)}
    assert set(rows) == {"training aaaaaaaa", "training bbbbbbbb"}
    assert rows["training aaaaaaaa"].paid_usd == pytest.approx(15 * rows["training bbbbbbbb"].paid_usd)


def test_the_same_sections_reach_markdown_and_the_terminal() -> None:
    rows = [LedgerRow(group="training", paid_usd=0.2, instead_usd=1.0, instead="on-demand g4dn.xlarge", simulated=True)]
    section = ledger_section(rows, LedgerGrouping.KIND)
    markdown = to_markdown([section])
    assert section.note.startswith("simulated metering")
    assert ledger_section([rows[0].model_copy(update={"simulated": False})], LedgerGrouping.KIND).note == ""
    assert "## Costs by kind" in markdown and "| training | 0.2000 | 1.0000 | 80.0% saved" in markdown
    terminal = io.StringIO()
    print_sections(Console(file=terminal, width=200), [section])
    assert "Costs by kind" in terminal.getvalue() and "80.0% saved vs on-demand g4dn.xlarge" in terminal.getvalue()

    from sskai.catalog import load_catalog as catalog
    from sskai.recommend import recommend

    advice = recommendation_sections(recommend(SMALL, catalog()))
    assert [s.title.split(":")[0] for s in advice] == ["Serve", "Train"]
    assert all(line in to_markdown(advice) for s in advice for line in s.lines)


def test_the_cumulative_chart_reads_for_one_run_and_for_a_month(stores) -> None:
    """Within a day every record is a step (time of day on the axis); over a month, one step a day."""
    now = utcnow()

    def cost(at) -> None:
        g4dn_cost(stores, "e1", 60, at, ResourceKind.ENDPOINT)

    for minute in range(3):
        cost(now + timedelta(minutes=minute))
    one_run, time_format = cumulative_costs(cost_frame(stores))
    assert time_format == "%H:%M:%S" and len(one_run) == 3 * 3  # three records, three series
    paid = one_run[one_run["series"] == "paid"]["usd"].tolist()
    assert paid == sorted(paid) and paid[-1] == pytest.approx(3 * paid[0])

    for day in range(1, 30):
        cost(now - timedelta(days=day))
    month, time_format = cumulative_costs(cost_frame(stores))
    assert time_format == "%b %d" and len(month[month["series"] == "paid"]) in (30, 31)
    total = cost_frame(stores)["paid_usd"].sum()
    assert month[month["series"] == "paid"]["usd"].max() == pytest.approx(total)
    assert month[month["series"] == "SageMaker"]["usd"].max() > total  # the managed line stands above
