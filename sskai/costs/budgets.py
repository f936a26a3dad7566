"""Monthly budgets per owner: project the month's spend, and raise one alert when it crosses the budget.

The projection is what was paid this month so far, plus two things carried to the month's end:
- what runs now and is billed by the hour (a serving endpoint on a node: its price, per replica);
- the rate of everything else (trainings, profiles, serverless requests): the spend over the last
  seven days, or since the month's first cost if that is later, and over at least a day, so that
  an hour of toy runs reads as that day's work done daily, not as the same work around the clock.
An alert is raised once per owner, month and budget amount; raising the budget arms it again.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.exc import IntegrityError

from sskai.catalog.catalog import spot_usd_per_hour
from sskai.catalog.versions import current_catalog
from sskai.costs.ledger import cost_frame
from sskai.costs.money import dollars
from sskai.errors import NotFound
from sskai.kinds import Status
from sskai.serving.targets import target_of
from sskai.store.metadata import Budget, BudgetAlert, Endpoint, utcnow
from sskai.store.stores import Stores

RATE_WINDOW = timedelta(days=7)
MIN_RATE_WINDOW = timedelta(days=1)


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


def project(
    costs: pd.DataFrame, now: datetime, standing_usd_per_hour: dict[str, float] | None = None
) -> tuple[float, float]:
    """(spent this month, projected for the whole month) from cost records (``period_start``, ``paid_usd``,
    ``resource_id``); ``standing_usd_per_hour``: what runs now at an hourly price, by resource id."""
    standing = standing_usd_per_hour or {}
    start, end = month_bounds(now)
    left_hours = (end - now).total_seconds() / 3600.0
    this_month = costs[(costs["period_start"] >= start) & (costs["period_start"] <= now)]
    spent = float(this_month["paid_usd"].sum())
    ahead = sum(standing.values()) * left_hours
    # The standing ones are carried by their price; their records so far count as spent only.
    work = this_month[~this_month["resource_id"].isin(list(standing))] if standing else this_month
    if work.empty:
        return spent, spent + ahead
    window_start = max(start, now - RATE_WINDOW, work["period_start"].min())
    window = max(now - window_start, MIN_RATE_WINDOW)
    recent = float(work[work["period_start"] >= window_start]["paid_usd"].sum())
    return spent, spent + ahead + recent / window.total_seconds() * left_hours * 3600.0


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
    standing = standing_costs(stores, owner)
    spent, projected = project(cost_frame(stores, owner) if costs is None else costs, now, standing)
    budget = stores.metadata.latest(Budget, owner=owner)
    return Projection(owner, f"{now:%Y-%m}", spent, projected, budget.monthly_usd if budget else None)


def standing_costs(stores: Stores, owner: str) -> dict[str, float]:
    """USD per hour of each serving endpoint of ``owner`` that runs on nodes: spot price times its replicas."""
    catalog = current_catalog(stores)
    standing = {}
    for endpoint in stores.metadata.list(Endpoint, owner=owner):
        if not (Status(endpoint.status).is_serving and endpoint.instance_type and endpoint.region):
            continue
        try:
            offer = catalog.offer(endpoint.instance_type, endpoint.region)
        except NotFound:
            continue  # priced as nothing the catalog knows: its records still count as work
        standing[endpoint.id] = spot_usd_per_hour(offer) * len(target_of(endpoint).billed_replicas(endpoint))
    return standing


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
