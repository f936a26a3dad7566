"""What a spot policy decides, as values with their reasons: keep, wait, launch on a spot pool, launch on demand.

A decision names a pool by its index in the job's candidate pools (``PolicyJob.pools``); the driver
(the trace replay, the live controller) acts on it and writes the reason where a person reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keep:
    """Stay where the job is (running on a pool or on demand)."""

    reason: str


@dataclass(frozen=True)
class Wait:
    """Hold no capacity for now (nothing worth launching, or a cheaper pool is worth the slack)."""

    reason: str


@dataclass(frozen=True)
class LaunchSpot:
    """(Re)launch the job's gang on spot pool ``pool`` (a move when the job runs elsewhere)."""

    pool: int
    reason: str


@dataclass(frozen=True)
class LaunchOnDemand:
    """(Re)launch on on-demand capacity, which is always there and never preempted."""

    reason: str


Decision = Keep | Wait | LaunchSpot | LaunchOnDemand


@dataclass(frozen=True)
class Where:
    """Where a job is: on spot pool ``pool``, on demand, or nowhere (waiting)."""

    pool: int | None = None
    on_demand: bool = False

    def __post_init__(self) -> None:
        if self.pool is not None and self.on_demand:
            raise ValueError("a job is on a spot pool or on demand, not both")

    @property
    def idle(self) -> bool:
        return self.pool is None and not self.on_demand

    def describe(self, pool_names: tuple[str, ...]) -> str:
        if self.on_demand:
            return "on demand"
        return "waiting" if self.pool is None else f"spot {pool_names[self.pool]}"


IDLE = Where()
ON_DEMAND = Where(on_demand=True)


def destination(decision: Decision, here: Where) -> Where:
    """Where the job is after ``decision`` is carried out."""
    if isinstance(decision, Keep):
        return here
    if isinstance(decision, Wait):
        return IDLE
    if isinstance(decision, LaunchOnDemand):
        return ON_DEMAND
    return Where(pool=decision.pool)
