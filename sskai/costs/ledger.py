"""The cost ledger: every metered stretch as a frame, rolled up into rows a person can read.

A saving is said plainly: "84.9% saved vs on-demand g4dn.xlarge", or, when the alternative was
cheaper, "3.1× what SageMaker Serverless Inference would cost: Lambda's per-request fee dominates
at this load" — never a four-digit negative percentage.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, ConfigDict

from sskai.kinds import LedgerGrouping, ResourceKind
from sskai.store.metadata import CostRecord, Endpoint, Model, Training
from sskai.store.stores import Stores

COLUMNS = [
    "day",
    "month",
    "kind",
    "resource",
    "resource_id",
    "pricing",
    "instance_type",
    "region",
    "seconds",
    "paid_usd",
    "alternative_usd",
    "alternative",
    "request_fee_usd",
    "managed_usd",
    "managed",
    "period_start",
    "simulated",
]
# Above this share of the bill, the per-request fee is what makes serverless dearer than its alternative.
REQUEST_FEE_DOMINATES = 0.5


class LedgerRow(BaseModel):
    """One rolled-up line: what was paid, what the alternative would have cost, and what that means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str
    paid_usd: float
    instead_usd: float
    instead: str  # what the alternative was: "on-demand g4dn.xlarge", "SageMaker Serverless Inference", ...
    request_fee_usd: float = 0.0
    simulated: bool = False  # any of its seconds were measured here and priced, not billed by a cloud
    managed_usd: float | None = None  # the equivalent SageMaker service; None where no record had a price
    managed: str = ""  # which service: "SageMaker training", "SageMaker real-time inference", ...

    @property
    def managed_saving(self) -> str:
        if self.managed_usd is None:
            return "no managed price"
        return describe_saving(self.paid_usd, self.managed_usd, self.managed or "the managed service")

    @property
    def saving_usd(self) -> float:
        return self.instead_usd - self.paid_usd

    @property
    def saving(self) -> str:
        return describe_saving(self.paid_usd, self.instead_usd, self.instead, self.request_fee_usd)


def describe_saving(paid_usd: float, instead_usd: float, instead: str, request_fee_usd: float = 0.0) -> str:
    if instead_usd <= 0:
        return "nothing to compare" if paid_usd <= 0 else f"no price for {instead} to compare"
    if paid_usd <= instead_usd:
        return f"{100.0 * (instead_usd - paid_usd) / instead_usd:.1f}% saved vs {instead}"
    ratio = paid_usd / instead_usd
    times = f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
    why = (
        ": Lambda's per-request fee dominates at this load"
        if request_fee_usd > REQUEST_FEE_DOMINATES * paid_usd
        else ""
    )
    return f"{times} what {instead} would cost{why}"


def resource_names(stores: Stores, owner: str) -> dict[str, str]:
    """What a person calls each metered thing: "endpoint mlp", "training of mlp 1a2b3c4d" (ids alone mean nothing)."""
    models = {m.id: m.name for m in stores.metadata.list(Model, owner=owner)}
    names = {e.id: f"endpoint {e.name}" for e in stores.metadata.list(Endpoint, owner=owner)}
    for training in stores.metadata.list(Training, owner=owner):
        names[training.id] = f"training of {models.get(training.model_id, 'a deleted model')} {training.id[:8]}"
    return names


def _resource(record: CostRecord, names: dict[str, str]) -> str:
    if record.resource_kind in (ResourceKind.TRAINING, ResourceKind.ENDPOINT) and record.resource_id in names:
        return names[record.resource_id]
    return f"{record.resource_kind} {record.resource_id[:8]}"


def cost_frame(stores: Stores, owner: str | None = None) -> pd.DataFrame:
    """Every cost record of ``owner`` (the current owner by default), one row each."""
    owner = owner or stores.settings.owner
    names = resource_names(stores, owner)
    rows = [
        {
            "day": r.period_start.date(),
            "month": r.period_start.strftime("%Y-%m"),
            "kind": r.resource_kind,
            "resource": _resource(r, names),
            "resource_id": r.resource_id,
            "pricing": r.pricing,
            "instance_type": r.instance_type,
            "region": r.region,
            "seconds": r.seconds,
            "paid_usd": r.paid_usd,
            "alternative_usd": r.alternative_usd,
            "alternative": r.alternative,
            "request_fee_usd": float(r.detail.get("request_fee_usd", 0.0)),
            "managed_usd": r.detail.get("managed_usd"),
            "managed": r.detail.get("managed", ""),
            "period_start": r.period_start,
            "simulated": r.simulated,
        }
        for r in stores.metadata.list(CostRecord, owner=owner)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _alternatives(names: list[str]) -> str:
    """One name for what a group's records replaced: "on-demand g4dn.xlarge + t3.large" for a cluster's nodes."""
    if len(names) == 1:
        return names[0]
    prefix = "on-demand "
    if all(name.startswith(prefix) for name in names):
        return prefix + " + ".join(name.removeprefix(prefix) for name in names)
    return "on-demand or managed alternatives"


def ledger_rows(frame: pd.DataFrame, by: LedgerGrouping = LedgerGrouping.DAY) -> list[LedgerRow]:
    """Paid and what the alternatives would have cost, per day, month, resource kind or resource."""
    rows = []
    for group, part in frame.groupby(str(by), sort=True):
        alternatives = sorted(set(part["alternative"]))
        managed = part["managed_usd"].dropna()
        services = sorted({name for name in part["managed"] if name})
        rows.append(
            LedgerRow(
                group=str(group),
                paid_usd=float(part["paid_usd"].sum()),
                instead_usd=float(part["alternative_usd"].sum()),
                instead=_alternatives(alternatives),
                request_fee_usd=float(part["request_fee_usd"].sum()),
                simulated=bool(part["simulated"].any()),
                managed_usd=float(managed.sum()) if len(managed) else None,
                managed=" + ".join(services),
            )
        )
    return rows


def cumulative_costs(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Paid, on-demand and managed, summed up over time; per record within a day, per day over longer spans,
    so that one run and a month both read (the second value is the time axis format)."""
    ordered = frame.sort_values("period_start").assign(managed_usd=lambda f: f["managed_usd"].fillna(0.0))
    span = ordered["period_start"].max() - ordered["period_start"].min()
    columns = {"paid_usd": "paid", "alternative_usd": "on demand", "managed_usd": "SageMaker"}
    if span > pd.Timedelta(days=2):
        daily = ordered.set_index("period_start")[list(columns)].resample("1D").sum()
        series, time_format = daily.cumsum().reset_index(), "%b %d"
    else:
        series, time_format = ordered[["period_start", *columns]].copy(), "%H:%M:%S"
        series[list(columns)] = series[list(columns)].cumsum()
    series = series.rename(columns={"period_start": "time", **columns})
    return series.melt("time", var_name="series", value_name="usd"), time_format
