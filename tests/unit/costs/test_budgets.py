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


def test_a_first_burst_is_read_over_at_least_an_hour() -> None:
    """$0.01 in the first minute of use is $0.24 a day, not $14.40 a day."""
    spent, projected = project(costs((NOW - timedelta(minutes=1), 0.01)), NOW)
    assert spent == 0.01 and projected == pytest.approx(0.01 + 0.01 * 20 * 24, rel=1e-6)


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
