"""Where a replicated endpoint's replicas run, tick by tick: each spot replica is a job the spot policy places.

SkyServe's fleet (SpotHedge, EuroSys '25), with the decisions left to the one spot policy
(:mod:`sskai.spot.policy`) that also places trainings:

- **Slots.** The fleet wants ``spot_wanted`` spot replicas; each is a slot, stepped by its own
  :class:`~sskai.spot.driver.PolicyDriver` as a serving job (:func:`serving_job`: an hour's rolling
  horizon, no deadline, nothing lost on a preemption, an hour without capacity paid at the on-demand
  fallback's price). The policy decides where the slot's replica goes: ``LaunchSpot`` on a pool,
  ``LaunchOnDemand``, ``Keep``, or ``Wait``.
- **Spread.** A slot is shown a pool as available only where it has an instance to spare beyond
  the other slots' replicas and holds no more of them than the least-held pool with room: replicas
  spread over zones, so one reclaim takes as few as it can (the slot's own pool stays available while
  it holds capacity).
- **Losses.** A pool whose capacity falls below the replicas on it loses the newest ones; their
  slots are preempted and asked again at once.
- **On demand** is the floor plus every slot not on spot (on demand by decision, or waiting: the
  fallback covers it, so the endpoint is never short); it grows at once and shrinks only after
  ``calm_ticks`` ticks in a row of wanting fewer (hysteresis: a flapping pool does not flap it).

Pure: the live driver (:mod:`sskai.serving.fleet_driver`), the trace replay of a fleet and the
manifests all step it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sskai.replay.engine import pool_infos
from sskai.replay.world import ReplayJob, World
from sskai.risk.model import PoolRisk, RiskModel
from sskai.spot.driver import PolicyDriver
from sskai.spot.policies import policy_named
from sskai.spot.policy import Past, PolicyJob, PoolInfo
from sskai.units import SECONDS_PER_HOUR

# A replica plans an hour ahead: a move, or a wait for a cheaper pool, must pay back within it.
SERVING_HORIZON_SECONDS = SECONDS_PER_HOUR
# Provisioning an instance and starting the endpoint on it: paid, not yet serving.
REPLICA_START_SECONDS = 120.0
LOST_WITH = "lost with"  # how a step says a pool took replicas (the dashboard marks these as preemptions)


@dataclass(frozen=True)
class FleetTarget:
    spot_wanted: int
    floor: int
    calm_ticks: int = 3
    policy: str = "sskai"


@dataclass(frozen=True)
class FleetStep:
    """What to do now, per pool: replicas lost, spot replicas to launch, replicas moved away (drained); the
    on-demand count wanted; and why."""

    lost: np.ndarray
    launch: np.ndarray
    moved: np.ndarray
    ondemand: int
    reasons: tuple[str, ...]

    @property
    def spot(self) -> int:
        return int(self.launch.sum())


def serving_job(
    pools: tuple[PoolInfo, ...],
    ondemand_usd_per_hour: float,
    tick_seconds: float,
    start_seconds: float = REPLICA_START_SECONDS,
) -> PolicyJob:
    """A spot replica as a policy's job: stateless (a preemption loses nothing), no deadline, a rolling
    horizon, and the on-demand fallback paid for every hour it holds no spot capacity."""
    return PolicyJob(
        work_seconds=SERVING_HORIZON_SECONDS,
        deadline_seconds=math.inf,
        pools=pools,
        ondemand_usd_per_hour=ondemand_usd_per_hour,
        launch_usd=(0.0,) * (len(pools) + 1),  # a replica pulls its image, not the dataset
        restart_seconds=start_seconds,
        checkpoint_interval_seconds=0.0,
        notice_checkpoints=True,
        tick_seconds=tick_seconds,
        idle_usd_per_hour=ondemand_usd_per_hour,
    )


def world_pools(world: World, start_tick: int, risk: RiskModel | Sequence[PoolRisk]) -> tuple[PoolInfo, ...]:
    """The world's pools with their risk priors for one replica (one instance of each pool)."""
    return pool_infos(world, ReplayJob(work_hours=1.0, deadline_hours=1.0), start_tick, risk)


class FleetPlanner:
    """One policy driver per spot slot, the spread, the floor and the fallback's hysteresis."""

    def __init__(self, target: FleetTarget, job: PolicyJob, past: Callable[[int], Past], first_tick: int) -> None:
        self.target, self.job = target, job
        self.slots = [
            PolicyDriver(policy_named(target.policy), job, past, first_tick) for _ in range(target.spot_wanted)
        ]
        self.calm = 0

    def held(self) -> np.ndarray:
        """Spot replicas per pool, as the slots hold them."""
        held = np.zeros(len(self.job.pools), dtype=np.int64)
        for slot in self.slots:
            if slot.progress.where.pool is not None:
                held[slot.progress.where.pool] += 1
        return held

    def step(
        self, at: int, capacity: np.ndarray, prices: np.ndarray, ondemand_now: int, fell: np.ndarray | None = None
    ) -> FleetStep:
        """Tick ``at``: ``capacity`` is the instances each pool can give now, ``prices`` their USD per hour;
        ``fell`` per pool: did a smaller fall of its count take one of its replicas (``World.preempts``)."""
        names = self.job.pool_names
        pools = len(names)
        held = self.held()
        lost = np.maximum(held - capacity, 0)
        if fell is not None:
            lost = np.maximum(lost, (fell & (held > 0)).astype(np.int64))
        hit = self._hit(lost)  # the slots those losses take
        reasons = [f"{int(lost[p])} replica(s) {LOST_WITH} {names[p]}" for p in np.flatnonzero(lost)]
        launch, moved = np.zeros(pools, dtype=np.int64), np.zeros(pools, dtype=np.int64)
        ondemand_slots = short = 0
        for index, slot in enumerate(self.slots):
            books = slot.progress
            books.work_seconds = books.done + SERVING_HORIZON_SECONDS  # serving never finishes
            others = self._held_by_others(index, hit)
            hits = np.zeros(pools, dtype=bool)
            if index in hit:
                hits[books.where.pool] = True
            step = slot.step(at, self._available(books.where.pool, others, capacity, index in hit), prices, hits)
            if step.before.pool is not None and step.after != step.before and not step.preempted:
                moved[step.before.pool] += 1
            if step.after.pool is not None and (step.after != step.before or step.preempted):
                launch[step.after.pool] += 1  # a lost replica relaunched on its own pool is a new one
            ondemand_slots += step.after.on_demand
            short += step.after.idle
            if step.record is not None:
                reasons.append(f"replica {index + 1}: {step.record.reason}")
        wanted = self.target.floor + ondemand_slots + short
        self.calm = 0 if wanted >= ondemand_now else self.calm + 1
        ondemand = wanted if wanted >= ondemand_now or self.calm >= self.target.calm_ticks else ondemand_now
        if ondemand != ondemand_now:
            reasons.append(
                f"on demand {ondemand_now} -> {ondemand}: the floor of {self.target.floor}, "
                f"{ondemand_slots} replica(s) on demand by decision, {short} waiting for spot"
            )
        return FleetStep(lost=lost, launch=launch, moved=moved, ondemand=ondemand, reasons=tuple(reasons))

    def _hit(self, lost: np.ndarray) -> set[int]:
        """The slots a pool's loss takes: its newest replicas (the highest slots on it)."""
        hit: set[int] = set()
        for pool in np.flatnonzero(lost):
            on_pool = [i for i, slot in enumerate(self.slots) if slot.progress.where.pool == pool]
            hit.update(on_pool[-int(lost[pool]) :])
        return hit

    def _held_by_others(self, index: int, hit: set[int]) -> np.ndarray:
        """Replicas of the other slots per pool: where those asked already went, where the rest hold on."""
        others = np.zeros(len(self.job.pools), dtype=np.int64)
        for other, slot in enumerate(self.slots):
            pool = slot.progress.where.pool
            gone = other > index and other in hit  # lost this tick, not yet asked again
            if other != index and pool is not None and not gone:
                others[pool] += 1
        return others

    @staticmethod
    def _available(own: int | None, others: np.ndarray, capacity: np.ndarray, hit: bool) -> np.ndarray:
        """Pools the slot may launch on: an instance to spare, and no more replicas on it than on the
        least-held pool with room."""
        room = capacity - others >= 1
        fewest = others[room].min() if room.any() else 0
        available = room & (others <= fewest)
        if own is not None and not hit:
            available[own] = room[own]
        return available


def fleet_usd(spot: np.ndarray, prices: np.ndarray, ondemand: int, ondemand_usd_per_hour: float, hours: float) -> float:
    """What ``hours`` of this fleet cost: each spot replica at its pool's price, the on-demand ones at on demand's."""
    return float((spot * prices).sum() + ondemand * ondemand_usd_per_hour) * hours


def ondemand_fleet_usd(target: FleetTarget, ondemand_usd_per_hour: float, hours: float) -> float:
    """The baseline: the replicas the fleet wants (floor and spot) all on demand; the fallback's extras are not."""
    return (target.floor + target.spot_wanted) * ondemand_usd_per_hour * hours


@dataclass(frozen=True)
class FleetReplay:
    """A fleet's outcome over a stretch of a world: what it paid, what on-demand replicas would have, and why."""

    policy: str
    floor: int
    usd: float
    ondemand_only_usd: float
    spot_replica_hours: float
    ondemand_replica_hours: float
    preemptions: int
    launches: int

    @property
    def ratio_to_ondemand(self) -> float:
        return self.usd / self.ondemand_only_usd if self.ondemand_only_usd else 0.0


def replay_fleet(
    world: World, target: FleetTarget, start_tick: int, ticks: int, risk: RiskModel | Sequence[PoolRisk]
) -> FleetReplay:
    """The planner stepped over ``ticks`` of ``world`` on the books only: the replay driver of a fleet.

    Every replica is billed for the whole tick it is held at its pool's price (on demand at on
    demand's); the fleet wanted (floor and spot replicas) on demand is the baseline. A pool's fall
    takes one of its replicas with the chance the training replay draws for one instance."""
    capacity, prices = world.capacity, world.prices
    job = serving_job(world_pools(world, start_tick, risk), world.ondemand_usd_per_hour, world.tick_seconds)
    planner = FleetPlanner(target, job, lambda at: Past(capacity, prices, at, world.tick_seconds), start_tick)
    usd = baseline = spot_hours = ondemand_hours = 0.0
    ondemand = preemptions = launches = 0
    hits = world.preempts(1)
    for at in range(start_tick, start_tick + ticks):
        step = planner.step(at, world.capacity[:, at], world.prices[:, at], ondemand, hits[:, at])
        launches += step.spot + max(0, step.ondemand - ondemand)
        spot, ondemand = planner.held(), step.ondemand
        preemptions += int(step.lost.sum())
        usd += fleet_usd(spot, world.prices[:, at], ondemand, world.ondemand_usd_per_hour, world.tick_hours)
        baseline += ondemand_fleet_usd(target, world.ondemand_usd_per_hour, world.tick_hours)
        spot_hours += int(spot.sum()) * world.tick_hours
        ondemand_hours += ondemand * world.tick_hours
    return FleetReplay(target.policy, target.floor, usd, baseline, spot_hours, ondemand_hours, preemptions, launches)
