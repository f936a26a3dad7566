"""The ledger says what was saved, or plainly how much dearer and why; one set of sections feeds every front end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sskai.catalog import load_catalog
from sskai.costs.ledger import cost_frame, ledger_rows
from sskai.costs.metering import SAGEMAKER_SERVERLESS, record_serverless_cost
from sskai.kinds import LedgerGrouping
from sskai.store.metadata import utcnow
from tests.builders import g4dn_cost


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
