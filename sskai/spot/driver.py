"""The step every driver of a spot policy takes at each tick: the replay engine and the live controller
both call it, so a policy decides the same way wherever it runs.

One step: a preemption of where the job is (the driver says whether the gang was hit) is charged;
the policy sees the present (an ``Observation``) and the read-only past; its decision is checked
against the contract, carried out on the books, and recorded when it changed something; then the
job holds its place for one tick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sskai.spot.decisions import Decision, Keep, LaunchSpot, Wait, Where, destination
from sskai.spot.policy import Observation, Past, PolicyJob, SpotPolicy
from sskai.spot.progress import JobProgress
from sskai.units import SECONDS_PER_HOUR


@dataclass(frozen=True)
class DecisionRecord:
    """One decision that changed where the job is (or why it waits), for the timeline and the JSON."""

    at_hours: float
    kind: str  # "LaunchSpot", "LaunchOnDemand", "Wait", "Keep"
    pool: str | None
    reason: str


@dataclass(frozen=True)
class Step:
    decision: Decision
    before: Where
    after: Where
    preempted: bool
    record: DecisionRecord | None  # set when the decision changed something (or is the first)

    @property
    def launched(self) -> bool:
        return self.after != self.before and not self.after.idle


class PolicyDriver:
    """Steps one policy through one job; ``past(at)`` gives the read-only past up to tick ``at``."""

    def __init__(self, policy: SpotPolicy, job: PolicyJob, past: Callable[[int], Past], first_tick: int) -> None:
        self.policy, self.job, self.past, self.first_tick = policy, job, past, first_tick
        self.progress = JobProgress(job)
        self.counts: dict[str, int] = {}
        policy.start(job, past(first_tick - 1))  # before the first tick: no present yet

    def now_seconds(self, at: int) -> float:
        return (at - self.first_tick) * self.job.tick_seconds

    def step(
        self, at: int, available: np.ndarray, prices: np.ndarray, hit: np.ndarray, force: Decision | None = None
    ) -> Step:
        """Tick ``at``: ``available`` and ``prices`` per pool now, ``hit`` per pool: did a loss there hit the gang.

        ``force``: a decision the driver takes instead of asking the policy (the live driver's on-demand
        finish once the deadline has come; the replay charges that finish itself)."""
        run, now = self.progress, self.now_seconds(at)
        before = run.where
        preempted = run.where.pool is not None and bool(hit[run.where.pool])
        if preempted:
            run.preempt()
        seen = Observation(
            now_seconds=now,
            where=run.where,
            preempted=preempted,
            available=available,
            prices=prices,
            remaining_work_seconds=run.remaining,
            owed_seconds=run.owed,
            unsaved_work_seconds=run.unsaved,
            seconds_to_deadline=self.job.deadline_seconds - now,
            past=self.past(at),
        )
        decision = force or self.policy.decide(seen)
        target = checked(self.policy, decision, run.where, available, at)
        record = None
        if target != run.where or (preempted and isinstance(decision, Wait)) or now == 0:
            kind = type(decision).__name__
            self.counts[kind] = self.counts.get(kind, 0) + 1
            pool = self.job.pools[target.pool].name if target.pool is not None else None
            record = DecisionRecord(now / SECONDS_PER_HOUR, kind, pool, decision.reason)
        if target != run.where and not target.idle:
            run.launch(target)
        elif target.idle:
            run.release()
        if not run.where.idle:
            price = self.job.ondemand_usd_per_hour if run.where.on_demand else float(prices[run.where.pool])
            run.run(self.job.tick_seconds, price, now)
        return Step(decision, before, run.where, preempted, record)


def checked(policy: SpotPolicy, decision: Decision, where: Where, available: np.ndarray, at: int) -> Where:
    """Where ``decision`` takes the job; a decision the contract does not allow is refused."""
    if isinstance(decision, LaunchSpot) and not available[decision.pool]:
        raise ValueError(f"policy {policy.name} launched on pool {decision.pool}, which has no capacity at tick {at}")
    if isinstance(decision, Keep) and where.idle:
        raise ValueError(f"policy {policy.name} kept a job that holds no capacity (at tick {at}); wait instead")
    return destination(decision, where)
