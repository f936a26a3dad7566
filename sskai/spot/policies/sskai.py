"""sskai's policy: the option with the lowest expected cost to finish, inside a deadline guard.

Every tick:

- **Risk.** Each pool's hazard and mean wait come from its own past (a week before the job, then
  every tick, older evidence fading with a 12 h half-life), shrunk towards its calibrated prior
  (``PoolInfo.risk``, from the risk model). A pool that has been down for a while is expected to stay
  down at least as long again (an outage's remaining length grows with its age).
- **Cost to finish** on each pool and on demand, by :func:`sskai.election.cost_model.cost_to_finish`,
  the election's own formula: interruptions stretch the work, every launch pays its restart and the
  data it moves.
- **Guard.** A spot option is safe while the slack covers its start and a fall back to on demand should
  the pool be lost in the next tick (a restart and the work not yet checkpointed); otherwise on
  demand. The relaunches a pool's hazard implies are priced, not reserved, so the deadline is met
  whatever the trace does. Nothing is committed for good: when
  capacity comes back and the slack allows, the job returns to spot.
- **Moves** happen only when the saving beats the move (restart and transfer are in the cost) by a
  margin: no hopping between pools of the same price.
- **Waiting** spends slack (and, for a serving replica, pays the on-demand fallback while it lasts):
  with no capacity held, the policy waits for a pool that is down only when the expected cost of
  waiting (its cost if it returns in time, on demand if not, plus the hours of waiting at
  ``idle_usd_per_hour``) beats the best option now by the margin.
"""

from __future__ import annotations

import math

import numpy as np

from sskai.election.cost_model import cost_to_finish
from sskai.risk.observe import chance_gang_is_hit
from sskai.spot.decisions import Decision, Keep, LaunchOnDemand, LaunchSpot, Wait
from sskai.spot.policy import Observation, Past, PolicyJob, SpotPolicy
from sskai.units import SECONDS_PER_HOUR

# Hours of pseudo-observation behind each pool's prior hazard, and down spells behind its prior wait.
PRIOR_WEIGHT_HOURS = 2.0
PRIOR_SPELLS = 2.0
# Evidence fades with this half-life, so a pool that starts to flap is seen within hours.
HALF_LIFE_HOURS = 12.0
# How much of a pool's past the policy reads before the job starts.
LOOKBACK_HOURS = 7 * 24.0
# A move (or a wait) must save this share of the cost to finish where the job is.
MARGIN = 0.05


class SskaiPolicy(SpotPolicy, name="sskai"):
    def start(self, job: PolicyJob, past: Past) -> None:
        super().start(job, past)
        count = len(job.pools)
        self.prior_hazard = np.array([pool.risk.hazard_per_hour for pool in job.pools])
        self.prior_wait = np.array([pool.risk.mean_wait_hours for pool in job.pools])
        self.losses, self.returns = np.zeros(count), np.zeros(count)
        self.held_hours, self.down_hours = np.zeros(count), np.zeros(count)
        self.down_for = np.zeros(count)  # hours each pool has been down without a break, now
        self.last_up: np.ndarray | None = None
        self.last_count: np.ndarray | None = None
        self.decay = 0.5 ** (past.tick_hours / HALF_LIFE_HOURS)
        self.tick_hours = past.tick_hours
        if past.now >= 0:
            lookback = int(LOOKBACK_HOURS / past.tick_hours)
            for column in past.capacity()[:, -lookback:].T:
                self._observe(column)

    # ---- what the past says ----

    def _observe(self, count: np.ndarray) -> None:
        """Fold one tick of what each pool did into the fading counts: a fall of its count is a loss to the
        gang by the chance that it hits the gang (``chance_gang_is_hit``), not only when it falls below it."""
        up = count >= self.job.gang
        for counts in (self.losses, self.returns, self.held_hours, self.down_hours):
            counts *= self.decay
        if self.last_up is not None and self.last_count is not None:
            self.losses += self.last_up * chance_gang_is_hit(self.last_count, count, self.job.gang)
            self.returns += ~self.last_up & up
        self.held_hours += up * self.tick_hours
        self.down_hours += ~up * self.tick_hours
        self.down_for = np.where(up, 0.0, self.down_for + self.tick_hours)
        self.last_up, self.last_count = up, np.array(count)

    @property
    def hazard(self) -> np.ndarray:
        return (self.losses + self.prior_hazard * PRIOR_WEIGHT_HOURS) / (self.held_hours + PRIOR_WEIGHT_HOURS)

    @property
    def wait_hours(self) -> np.ndarray:
        """Expected time until a down pool is back: its mean wait, and at least as long as it has been down."""
        mean = (self.down_hours + self.prior_wait * PRIOR_SPELLS) / (self.returns + PRIOR_SPELLS)
        return np.maximum(mean, self.down_for)

    # ---- what each option costs ----

    def _costs(self, seen: Observation, hazard: np.ndarray) -> tuple[np.ndarray, float]:
        job = self.job
        hours = (seen.remaining_work_seconds + seen.owed_seconds) / SECONDS_PER_HOUR
        loss = (job.restart_seconds + job.lost_per_preemption_seconds) / SECONDS_PER_HOUR
        restart = job.restart_seconds / SECONDS_PER_HOUR
        here = seen.where.pool
        fresh = np.arange(len(job.pools)) != (here if here is not None else -1)
        spot = cost_to_finish(
            hours, seen.prices * job.gang, hazard, loss, restart, fresh.astype(float), np.array(job.launch_usd[:-1])
        ).usd
        ondemand = cost_to_finish(
            hours, job.ondemand_usd_per_hour * job.gang, 0.0, loss, restart, float(not seen.where.on_demand)
        ).usd
        return spot, float(ondemand)

    def _guard_seconds(self, seen: Observation, fresh: np.ndarray) -> np.ndarray:
        """Slack each spot option needs: its start, and the slack to fall back to on demand should the pool be
        lost during the next tick (a restart, and the work not yet checkpointed by then).

        The relaunches a pool's hazard implies are priced in its cost to finish, not reserved: after
        each preemption the guard is asked again, and on demand stays one fallback away.
        """
        job = self.job
        at_risk = (
            0.0
            if job.notice_checkpoints
            else min(seen.unsaved_work_seconds + job.tick_seconds, job.checkpoint_interval_seconds)
        )
        return fresh * (job.restart_seconds + job.tick_seconds) + job.restart_seconds + at_risk

    def decide(self, seen: Observation) -> Decision:
        self._observe(seen.past.capacity()[:, -1])
        job, names = self.job, self.job.pool_names
        hazard = self.hazard
        spot, ondemand = self._costs(seen, hazard)
        here = seen.where.pool
        fresh = (np.arange(len(job.pools)) != (here if here is not None else -1)).astype(float)
        safe = seen.available & (seen.slack_seconds >= self._guard_seconds(seen, fresh))
        options = np.where(safe, spot, np.inf)
        best = int(np.argmin(options)) if np.isfinite(options).any() else None
        slack = _slack_words(seen.slack_seconds)
        if here is not None:  # on spot: stay unless it is unsafe, or a move saves enough
            if not safe[here]:
                return self._leave(seen, best, options, ondemand, f"{slack} no longer covers a relaunch")
            if best is not None and best != here and options[best] < options[here] * (1.0 - MARGIN):
                return LaunchSpot(
                    best,
                    f"moved to {names[best]}: ${options[best]:.2f} to finish against ${options[here]:.2f}, "
                    f"{slack} left",
                )
            return Keep(f"staying in {names[here]}: ${options[here]:.2f} to finish")
        if seen.where.on_demand:  # back to spot when the slack allows and it saves enough
            if best is not None and options[best] < ondemand * (1.0 - MARGIN):
                return LaunchSpot(
                    best,
                    f"spot is back: {names[best]} at ${options[best]:.2f} to finish against ${ondemand:.2f} "
                    f"on demand, {slack}",
                )
            return Keep(f"on demand: ${ondemand:.2f} to finish")
        now_best = min(options[best], ondemand) if best is not None else ondemand
        waiting = self._worth_waiting(seen, hazard, spot, ondemand, now_best)
        if waiting is not None:
            pool, expected = waiting
            return Wait(
                f"waiting for {names[pool]} (expected ${expected:.2f} against ${now_best:.2f} now, "
                f"back in ~{self.wait_hours[pool]:.1f} h)"
            )
        if best is not None and options[best] <= ondemand:
            return LaunchSpot(
                best,
                f"{names[best]}: ${options[best]:.2f} to finish, the cheapest safe option ({slack})",
            )
        return LaunchOnDemand(self._why_on_demand(seen, best, options, ondemand))

    def _leave(self, seen: Observation, best: int | None, options: np.ndarray, ondemand: float, why: str) -> Decision:
        if best is not None and options[best] < ondemand:
            return LaunchSpot(best, f"moved to {self.job.pool_names[best]}: {why} where it was")
        return LaunchOnDemand(f"on demand: {why} on any spot pool")

    def _why_on_demand(self, seen: Observation, best: int | None, options: np.ndarray, ondemand: float) -> str:
        if not seen.available.any():
            risk = "cost more" if math.isinf(seen.slack_seconds) else "risk the deadline"
            return f"no spot pool has capacity and waiting would {risk}: on demand at ${ondemand:.2f}"
        if best is None:
            return f"{_slack_words(seen.slack_seconds)} does not cover a spot relaunch: on demand"
        return f"on demand (${ondemand:.2f}) is cheaper to finish than spot (${options[best]:.2f})"

    def _worth_waiting(
        self, seen: Observation, hazard: np.ndarray, spot: np.ndarray, ondemand: float, now_best: float
    ) -> tuple[int, float] | None:
        """A down pool whose expected cost if waited for beats the best option now by the margin, if any.

        Waiting for pool q (one whose capacity is gone) spends slack: it is waited for only while,
        after the wait, the slack still covers q's guard. It returns within the slack left with
        probability 1 - exp(-budget / wait); if it does not, the job finishes on demand.
        """
        # Only capacity comes back: a pool that has it but is closed to this job (a serving fleet's other
        # replicas hold their share of it) does not open by waiting.
        down = ~seen.available & (seen.past.capacity()[:, -1] < self.job.gang)
        if not down.any():
            return None
        guard = self._guard_seconds(seen, np.ones(len(self.job.pools)))
        budget_hours = np.maximum(seen.slack_seconds - guard, 0.0) / SECONDS_PER_HOUR
        with np.errstate(divide="ignore", invalid="ignore"):
            returns = np.where(self.wait_hours > 0, 1.0 - np.exp(-budget_hours / self.wait_hours), 1.0)
        waited_hours = np.minimum(self.wait_hours, budget_hours)
        expected = returns * spot + (1.0 - returns) * ondemand + waited_hours * self.job.idle_usd_per_hour
        candidates = np.where(down & (budget_hours > 0), expected, np.inf)
        pool = int(np.argmin(candidates))
        if math.isfinite(candidates[pool]) and candidates[pool] < now_best * (1.0 - MARGIN):
            return pool, float(candidates[pool])
        return None


def _slack_words(slack_seconds: float) -> str:
    """ "1.4 h of slack", or "no deadline" for a job that has none (a serving replica)."""
    if math.isinf(slack_seconds):
        return "no deadline"
    return f"{slack_seconds / SECONDS_PER_HOUR:.1f} h of slack"
