"""A month's projection is spend so far plus the recent rate to the month's end; a crossing alerts once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from sskai.costs.budgets import project, projection, raise_alerts, set_budget
from sskai.kinds import Status
from sskai.store.metadata import BudgetAlert
from tests.builders import g4dn_cost

NOW = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)  # 10 days into a 30-day month, 20 left


def costs(*rows: tuple[datetime, float]) -> pd.DataFrame:
    return pd.DataFrame({"period_start": [at for at, _ in rows], "paid_usd": [usd for _, usd in rows]})


def test_the_projection_carries_the_last_weeks_rate_to_the_months_end() -> None:
    # $1 a day for the last 7 days, and $10 on the 1st (outside the 7-day window): the rate is $1/day.
    daily = [(NOW - timedelta(days=d, hours=1), 1.0) for d in range(7)]
    spent, projected = project(costs((NOW - timedelta(days=9, hours=12), 10.0), *daily), NOW)
    assert spent == pytest.approx(17.0)
    assert projected == pytest.approx(17.0 + 20 * 1.0, rel=0.01)  # 7 $ over 7 days, carried over 20 days
    # Last month's costs do not count; nothing this month projects nothing.
    assert project(costs((NOW - timedelta(days=15), 5.0)), NOW) == (0.0, 0.0)


def test_a_first_burst_is_read_as_a_days_work() -> None:
    """$0.01 of toy runs in the first hour is $0.01 a day (that day's work, daily), not $0.24 a day."""
    spent, projected = project(costs((NOW - timedelta(minutes=1), 0.01)), NOW)
    assert spent == 0.01 and projected == pytest.approx(0.01 + 0.01 * 20, rel=1e-6)


def test_what_runs_now_is_carried_by_its_price() -> None:
    """An endpoint up for ten minutes costs its hourly price for every hour left, whatever it has paid so far."""
    frame = pd.DataFrame(
        {
            "period_start": [NOW - timedelta(minutes=10), NOW - timedelta(minutes=30)],
            "paid_usd": [0.05, 0.02],
            "resource_id": ["endpoint-1", "training-1"],
        }
    )
    spent, projected = project(frame, NOW, standing_usd_per_hour={"endpoint-1": 0.3})
    assert spent == pytest.approx(0.07)
    assert projected == pytest.approx(0.07 + 0.3 * 20 * 24 + 0.02 * 20, rel=1e-6)  # the training as a day's work


def test_a_crossed_budget_alerts_once_and_a_raised_budget_arms_it_again(stores) -> None:
    g4dn_cost(stores, "t1", 3600, datetime.now(UTC) - timedelta(minutes=70))
    assert raise_alerts(stores) == []  # no budget, no alert
    set_budget(stores, "tester", 0.01)
    [alert] = raise_alerts(stores)
    assert (
        alert.status == Status.PENDING
        and alert.projected_usd > 0.01
        and "% of the $0.01 budget" in (alert.status_reason)
    )
    assert raise_alerts(stores) == []  # once per month and amount
    set_budget(stores, "tester", 0.02)
    assert len(raise_alerts(stores)) == 1 and len(stores.metadata.list(BudgetAlert)) == 2
    set_budget(stores, "tester", 1_000.0)
    assert not projection(stores, "tester").over and raise_alerts(stores) == []
    with pytest.raises(ValueError, match="positive"):
        set_budget(stores, "tester", 0)


def test_a_serving_endpoint_on_a_node_is_standing_at_its_spot_price(stores) -> None:
    from sskai.catalog import load_catalog
    from sskai.catalog.catalog import spot_usd_per_hour
    from sskai.costs.budgets import standing_costs
    from sskai.kinds import ServingKind
    from sskai.store.metadata import Endpoint, Model

    owner = stores.settings.owner
    model = stores.metadata.add(
        Model(owner=owner, name="m", version=1, content_sha256="0" * 64, artifact_key="k", size_bytes=1)
    )
    common = {"owner": owner, "model_id": model.id, "kind": ServingKind.SPOT, "runtime": "local", "api_key_sha256": "0"}
    up = stores.metadata.add(
        Endpoint(name="up", instance_type="g4dn.xlarge", region="us-east-1", status=Status.READY, **common)
    )
    stores.metadata.add(
        Endpoint(name="gone", instance_type="g4dn.xlarge", region="us-east-1", status=Status.STOPPED, **common)
    )
    stores.metadata.add(Endpoint(name="lambda", status=Status.READY, **common))  # billed per request: not standing
    price = spot_usd_per_hour(load_catalog().offer("g4dn.xlarge", "us-east-1"))
    assert standing_costs(stores, owner) == {up.id: pytest.approx(price)}
