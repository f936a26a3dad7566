"""Monthly budgets per owner: project the month's spend, and raise one alert when it crosses the budget.

The projection is what was paid this month so far plus the recent rate carried to the month's end.
The rate is the spend over the last seven days, or since the month's first cost if that is later,
and over at least an hour, so that one burst does not read as a month of it. An alert is raised once
per owner, month and budget amount; raising the budget arms it again.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.exc import IntegrityError

from sskai.costs.ledger import cost_frame
from sskai.costs.money import dollars
from sskai.kinds import Status
from sskai.store.metadata import Budget, BudgetAlert, utcnow
from sskai.store.stores import Stores

RATE_WINDOW = timedelta(days=7)
MIN_RATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Projection:
    owner: str
    month: str
    spent_usd: float
    projected_usd: float
    budget_usd: float | None

    @property
    def over(self) -> bool:
        return self.budget_usd is not None and self.projected_usd > self.budget_usd

    def describe(self) -> str:
        if self.budget_usd is None:
            return f"{self.month}: {dollars(self.spent_usd)} spent, {dollars(self.projected_usd)} projected (no budget)"
        share = 100.0 * self.projected_usd / self.budget_usd
        return (
            f"{self.month}: {dollars(self.spent_usd)} spent, {dollars(self.projected_usd)} projected "
            f"= {share:,.0f}% of the {dollars(self.budget_usd)} budget"
        )


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(now.year, now.month)[1]
    return start, start + timedelta(days=days)


def project(costs: pd.DataFrame, now: datetime) -> tuple[float, float]:
    """(spent this month, projected for the whole month) from cost records (``period_start``, ``paid_usd``)."""
    start, end = month_bounds(now)
    this_month = costs[(costs["period_start"] >= start) & (costs["period_start"] <= now)]
    spent = float(this_month["paid_usd"].sum())
    if this_month.empty:
        return 0.0, 0.0
    window_start = max(start, now - RATE_WINDOW, this_month["period_start"].min())
    window = max(now - window_start, MIN_RATE_WINDOW)
    recent = float(this_month[this_month["period_start"] >= window_start]["paid_usd"].sum())
    rate_per_second = recent / window.total_seconds()
    return spent, spent + rate_per_second * (end - now).total_seconds()


def set_budget(stores: Stores, owner: str, monthly_usd: float) -> Budget:
    if not monthly_usd > 0:
        raise ValueError(f"a budget must be a positive amount of USD, not {monthly_usd}")
    existing = stores.metadata.latest(Budget, owner=owner)
    if existing is not None:
        return stores.metadata.update(Budget, existing.id, monthly_usd=monthly_usd)
    return stores.metadata.add(Budget(owner=owner, monthly_usd=monthly_usd, status=Status.READY))


def projection(
    stores: Stores, owner: str, now: datetime | None = None, costs: pd.DataFrame | None = None
) -> Projection:
    """``owner``'s month; ``costs`` is their cost frame when the caller has already read it."""
    now = now or utcnow()
    spent, projected = project(cost_frame(stores, owner) if costs is None else costs, now)
    budget = stores.metadata.latest(Budget, owner=owner)
    return Projection(owner, f"{now:%Y-%m}", spent, projected, budget.monthly_usd if budget else None)


def describe_alert(alert: BudgetAlert) -> str:
    delivered = f"delivered {alert.delivered_at:%Y-%m-%d %H:%M} UTC" if alert.delivered_at else "not delivered yet"
    return f"{alert.status_reason} ({delivered})"


def raise_alerts(stores: Stores, now: datetime | None = None) -> list[BudgetAlert]:
    """A new alert for every budget whose projection crossed it this month and has not alerted yet."""
    raised = []
    for budget in stores.metadata.list(Budget):
        current = projection(stores, budget.owner, now)
        if not current.over:
            continue
        try:
            alert = stores.metadata.add(
                BudgetAlert(
                    owner=budget.owner,
                    month=current.month,
                    budget_usd=budget.monthly_usd,
                    spent_usd=current.spent_usd,
                    projected_usd=current.projected_usd,
                    status=Status.PENDING,
                    status_reason=current.describe(),
                )
            )
        except IntegrityError:
            continue  # already raised for this month and amount
        raised.append(alert)
    return raised
