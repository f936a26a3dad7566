"""Policies that act over time: where to launch, where to relaunch after a preemption, when to wait,
when to fall back to on demand. Each registers by name; ``decide`` sees one ``Observation``.

- ``on_demand``: on demand in the home region from the start.
- ``cheapest_fit``: SkyPilot's default for managed spot jobs: launch on the cheapest pool that has
  capacity now; after a preemption, eagerly fail over to the cheapest pool in another region (the
  lost region only if no other has capacity); wait while nothing has capacity; never on demand.
- ``baseline``: SSKAI's Algorithm 1: the cheapest pool at submission, and stay there: after a
  preemption, wait for that pool to come back.
- ``uniform_progress``: Can't Be Late (Wu et al., NSDI '24): spot while it can be had; without it,
  on demand only while progress is behind the uniform line work x elapsed / deadline, and on demand
  for good once the slack is down to one relaunch. As published it watches one pool; here it may take
  any pool with capacity (the cheapest), so it sees what the other policies see.
- ``sskai``: deadline-safe and risk-priced; see ``SskaiPolicy``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from sskai.catalog import load_catalog
from sskai.registry import Registered, Registry
from sskai.replay.engine import IDLE, ONDEMAND, Observation, Past, ReplayContext
from sskai.risk.model import RiskModel
from sskai.risk.shipped import shipped_risk_model


class ReplayPolicy(Registered, ABC):
    """Contract: ``start`` once per job (the past only), then ``decide`` every tick until the job is done."""

    registry: ClassVar[Registry[ReplayPolicy]] = Registry("replay policy")

    def start(self, ctx: ReplayContext, past: Past) -> None:
        self.ctx = ctx

    @abstractmethod
    def decide(self, seen: Observation) -> int: ...


def cheapest(seen: Observation, among: np.ndarray | None = None) -> int:
    """The cheapest pool with capacity now (lowest index on a tie), or IDLE."""
    allowed = seen.available if among is None else seen.available & among
    if not allowed.any():
        return IDLE
    return int(np.flatnonzero(allowed)[np.argmin(seen.prices[allowed])])


class OnDemandPolicy(ReplayPolicy, name="on_demand"):
    def decide(self, seen: Observation) -> int:
        return ONDEMAND


class CheapestFitPolicy(ReplayPolicy, name="cheapest_fit"):
    def start(self, ctx: ReplayContext, past: Past) -> None:
        super().start(ctx, past)
        self.regions = np.array(ctx.regions())
        self.last_pool: int | None = None

    def decide(self, seen: Observation) -> int:
        if seen.location >= 0:
            return seen.location
        choice = IDLE
        if seen.preempted and self.last_pool is not None:
            choice = cheapest(seen, self.regions != self.regions[self.last_pool])
        if choice == IDLE:
            choice = cheapest(seen)
        if choice != IDLE:
            self.last_pool = choice
        return choice


class BaselinePolicy(ReplayPolicy, name="baseline"):
    def start(self, ctx: ReplayContext, past: Past) -> None:
        super().start(ctx, past)
        self.pool: int | None = None

    def decide(self, seen: Observation) -> int:
        if self.pool is None:
            self.pool = int(np.argmin(seen.prices))
        return self.pool if seen.available[self.pool] else IDLE


class UniformProgressPolicy(ReplayPolicy, name="uniform_progress"):
    def start(self, ctx: ReplayContext, past: Past) -> None:
        super().start(ctx, past)
        self.committed = False

    def decide(self, seen: Observation) -> int:
        ctx = self.ctx
        if self.committed or seen.slack <= ctx.restart_ticks + 1:
            self.committed = True
            return ONDEMAND
        done = ctx.work_ticks - seen.remaining_ticks
        behind = done < ctx.work_ticks * seen.tick / max(ctx.deadline_ticks, 1)
        if seen.location >= 0:
            return seen.location
        pool = cheapest(seen)
        if pool != IDLE and not (seen.location == ONDEMAND and behind):
            return pool
        return ONDEMAND if behind else IDLE


# Hours of pseudo-observation behind each pool's prior hazard, and down spells behind its prior wait.
PRIOR_WEIGHT_HOURS = 2.0
PRIOR_SPELLS = 2.0
# Evidence fades with this half-life, so a pool that starts to flap is seen within hours.
HALF_LIFE_HOURS = 12.0
# A launch that cannot afford a second relaunch is still taken when a preemption before the end is
# this unlikely (the pool's hazard over the work left); otherwise on demand.
MISS_TOLERANCE = 0.1
# How much of a pool's past the policy reads before the job starts.
LOOKBACK_HOURS = 7 * 24.0


class SskaiPolicy(ReplayPolicy, name="sskai"):
    """Every tick, the option with the lowest expected cost to finish, within a deadline guard.

    - Risk: each pool's hazard and mean wait are estimated from its own past (a week before the job,
      then every tick as it runs, older evidence fading with a 12 h half-life), shrunk towards the
      calibrated risk model's figures for the pool.
    - Cost to finish on a pool = price x gang x (work left + expected preemptions x relaunch
      overhead) + transfer per expected relaunch; a pool not held now also pays one launch. On demand
      pays its price for the work left (and one launch if not held).
    - Waiting is free but spends slack: with no pool held, the policy waits for a pool that is down
      when that pool would be cheaper than the best option now and the slack left after its expected
      wait still covers the guard and its expected relaunches.
    - Guard: spot is launched while the slack covers this launch's overhead, one more relaunch and a
      margin, or covers this launch alone and a preemption before the end is less likely than
      ``MISS_TOLERANCE``; otherwise on demand to the end (a pool already held is kept).
    """

    def __init__(self, risk: RiskModel | None = None) -> None:
        self.risk = risk

    def start(self, ctx: ReplayContext, past: Past) -> None:
        super().start(ctx, past)
        self.committed = False
        self.launch_guard = 2 * ctx.restart_ticks + 2  # this launch, one relaunch, and a margin
        self.decay = 0.5 ** (ctx.tick_hours / HALF_LIFE_HOURS)
        self.prior_hazard, self.prior_wait = self._priors(ctx)
        zeros = np.zeros(ctx.pool_count)
        self.losses, self.returns, self.held_hours, self.down_hours = (
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
        )
        self.last_up: np.ndarray | None = None
        lookback = int(LOOKBACK_HOURS / ctx.tick_hours)
        if past.now >= 0:
            for column in past.capacity()[:, -lookback:].T:
                self._observe(column >= ctx.job.gang)

    def _observe(self, up: np.ndarray) -> None:
        """Fold one tick of what each pool did into the fading counts."""
        tick = self.ctx.tick_hours
        for counts in (self.losses, self.returns, self.held_hours, self.down_hours):
            counts *= self.decay
        if self.last_up is not None:
            self.losses += self.last_up & ~up
            self.returns += ~self.last_up & up
        self.held_hours += up * tick
        self.down_hours += ~up * tick
        self.last_up = up.copy()

    @property
    def hazard(self) -> np.ndarray:
        return (self.losses + self.prior_hazard * PRIOR_WEIGHT_HOURS) / (self.held_hours + PRIOR_WEIGHT_HOURS)

    @property
    def wait_hours(self) -> np.ndarray:
        return (self.down_hours + self.prior_wait * PRIOR_SPELLS) / (self.returns + PRIOR_SPELLS)

    def _priors(self, ctx: ReplayContext) -> tuple[np.ndarray, np.ndarray]:
        """The risk model's figures per pool. On a count pool of N instances a gang of n is assumed
        to be hit by a loss with probability n / N (losses fall on instances uniformly)."""
        world = ctx.world
        if self.risk is None:
            self.risk = shipped_risk_model(load_catalog())
        figures = [self.risk.risk(world.instance_type, p.region) for p in world.pools]
        share = np.array([min(ctx.job.gang / max(int(p.capacity.max()), 1), 1.0) for p in world.pools])
        return (
            np.array([f.hazard_per_hour for f in figures]) * share,
            np.array([f.mean_wait_hours for f in figures]),
        )

    def _costs(self, seen: Observation, hazard: np.ndarray) -> tuple[np.ndarray, float]:
        """Expected USD to finish from here on each pool (whether it has capacity or not), and on demand."""
        ctx = self.ctx
        hours = seen.remaining_ticks * ctx.tick_hours
        restart_hours = ctx.restart_ticks * ctx.tick_hours
        gang = ctx.job.gang
        relaunches = hazard * hours
        spot = seen.prices * gang * (hours + relaunches * restart_hours) + relaunches * ctx.launch_usd[:-1]
        fresh = np.arange(ctx.pool_count) != seen.location
        spot = spot + fresh * (ctx.launch_usd[:-1] + seen.prices * gang * restart_hours)
        rate = ctx.world.ondemand_usd_per_hour * gang
        ondemand = rate * hours + (seen.location != ONDEMAND) * (ctx.launch_usd[-1] + rate * restart_hours)
        return spot, ondemand

    def _reserve_ticks(self, seen: Observation, hazard: float) -> float:
        """Slack to keep after a wait: the guard, plus the overhead of the relaunches expected on the pool."""
        relaunches = hazard * seen.remaining_ticks * self.ctx.tick_hours
        return self.launch_guard + relaunches * self.ctx.restart_ticks

    def decide(self, seen: Observation) -> int:
        ctx = self.ctx
        self._observe(seen.available)
        if self.committed:
            return ONDEMAND
        hazard = self.hazard
        spot, ondemand = self._costs(seen, hazard)
        if seen.slack < self.launch_guard:  # slack never grows back: at most one more spot launch
            if seen.location >= 0:
                return seen.location
            hours = seen.remaining_ticks * ctx.tick_hours
            risky = 1.0 - np.exp(-hazard * hours) > MISS_TOLERANCE
            candidates = np.where(seen.available & ~risky, spot, np.inf)
            if seen.slack > ctx.restart_ticks and np.isfinite(candidates).any():
                return int(np.argmin(candidates))
            self.committed = seen.location == ONDEMAND or seen.slack <= ctx.restart_ticks
            return ONDEMAND
        now = np.append(np.where(seen.available, spot, np.inf), ondemand)
        choice = int(np.argmin(now))
        if seen.location >= 0 and choice == seen.location:
            return choice
        # Waiting is free but spends slack: wait for a pool that is down now when it would be cheaper
        # than the best option now and the slack left after its expected wait keeps the reserve.
        later = np.where(seen.available, np.inf, spot)
        for pool in np.argsort(later):
            if not np.isfinite(later[pool]) or later[pool] >= now[choice]:
                break
            wait_ticks = self.wait_hours[pool] / ctx.tick_hours
            if seen.slack - wait_ticks >= self._reserve_ticks(seen, float(hazard[pool])):
                return IDLE if seen.location != ONDEMAND else ONDEMAND
        return choice if choice < ctx.pool_count else ONDEMAND
