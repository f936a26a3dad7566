"""Run one policy through a world, tick by tick: the policy sees the present and the past, never the future.

Each tick: a gang on a pool whose count fell below the gang size is preempted (it is idle now); the
policy picks idle, on-demand or an obtainable pool; a location other than the current one is a
launch, which pays its transfer and ``restart`` ticks of overhead (billed, no progress); a running
tick bills the location's price for the gang and, once the overhead is worked off, makes one tick of
progress. If the trace ends first, the rest runs on demand (``ran_past_trace``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sskai.errors import ConfigError
from sskai.replay.world import ReplayJob, World

IDLE = -1
ONDEMAND = -2


@dataclass(frozen=True)
class ReplayContext:
    """What a policy knows before it starts: the pools, the prices it will pay, the job in ticks."""

    world: World
    job: ReplayJob
    work_ticks: int
    deadline_ticks: int
    restart_ticks: int
    launch_usd: np.ndarray  # per pool, then on demand
    start_tick: int

    @property
    def tick_hours(self) -> float:
        return self.world.tick_hours

    @property
    def pool_count(self) -> int:
        return len(self.world.pools)

    def regions(self) -> list[str]:
        return [p.region for p in self.world.pools]


class Past:
    """Read-only counts and prices up to and including the current tick."""

    def __init__(self, capacity: np.ndarray, prices: np.ndarray, now: int) -> None:
        self._capacity, self._prices, self.now = capacity, prices, now

    def capacity(self) -> np.ndarray:
        view = self._capacity[:, : self.now + 1]
        view.flags.writeable = False
        return view

    def prices(self) -> np.ndarray:
        view = self._prices[:, : self.now + 1]
        view.flags.writeable = False
        return view


@dataclass(frozen=True)
class Observation:
    tick: int  # since the job started
    location: int  # IDLE, ONDEMAND or a pool index
    preempted: bool  # the gang lost its pool at this tick
    available: np.ndarray  # per pool: can the gang be had now
    prices: np.ndarray  # per pool, USD per instance-hour now
    remaining_ticks: int  # work left plus launch overhead still owed
    ticks_left: int  # to the deadline (negative once missed)
    past: Past

    @property
    def slack(self) -> int:
        """Ticks that can still be lost (idle or in overhead) before the deadline is out of reach."""
        return self.ticks_left - self.remaining_ticks


@dataclass(frozen=True)
class Outcome:
    policy: str
    cost_usd: float
    transfer_usd: float
    hours: float
    deadline_met: bool
    preemptions: int
    launches: int
    spot_hours: float
    ondemand_hours: float
    ran_past_trace: bool
    locations: tuple[int, ...] = ()  # where the job was at each tick (IDLE, ONDEMAND or a pool), if recorded

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "locations"}


def context(world: World, job: ReplayJob, start_tick: int) -> ReplayContext:
    work, deadline, restart = job.ticks(world)
    if work < 1:
        raise ConfigError(f"job of {job.work_hours} h is shorter than one tick ({world.tick_seconds:.0f} s)")
    return ReplayContext(world, job, work, deadline, restart, job.launch_usd(world), start_tick)


def replay(policy, world: World, job: ReplayJob, start_tick: int, record: bool = False) -> Outcome:
    ctx = context(world, job, start_tick)
    capacity, prices = world.capacity, world.prices
    gang_hours = job.gang * world.tick_hours
    policy.start(ctx, Past(capacity, prices, start_tick - 1))  # before the first tick: now = -1, no past
    location, debt, progress, tick = IDLE, 0, 0, start_tick
    cost = transfer = spot_ticks = ondemand_ticks = 0.0
    preemptions = launches = 0
    ran_past = False
    path: list[int] = []
    while progress < ctx.work_ticks:
        if tick >= world.ticks:
            owed = ctx.work_ticks - progress + (debt if location == ONDEMAND else ctx.restart_ticks)
            cost += owed * world.ondemand_usd_per_hour * gang_hours
            ondemand_ticks += owed
            tick += owed
            ran_past = True
            break
        available = capacity[:, tick] >= job.gang
        preempted = location >= 0 and not available[location]
        if preempted:
            location, debt = IDLE, 0
            preemptions += 1
        seen = Observation(
            tick=tick - start_tick,
            location=location,
            preempted=preempted,
            available=available,
            prices=prices[:, tick],
            remaining_ticks=ctx.work_ticks - progress + debt,
            ticks_left=ctx.deadline_ticks - (tick - start_tick),
            past=Past(capacity, prices, tick),
        )
        action = policy.decide(seen)
        if action >= 0 and not available[action]:
            raise ValueError(f"policy {policy.name} launched on pool {action}, which has no capacity at tick {tick}")
        if action not in (IDLE, location):
            paid = ctx.launch_usd[ctx.pool_count if action == ONDEMAND else action]
            cost += paid
            transfer += paid
            debt = ctx.restart_ticks
            launches += 1
        location = action
        path.append(location)
        if location != IDLE:
            price = world.ondemand_usd_per_hour if location == ONDEMAND else prices[location, tick]
            cost += price * gang_hours
            if location == ONDEMAND:
                ondemand_ticks += 1
            else:
                spot_ticks += 1
            if debt:
                debt -= 1
            else:
                progress += 1
        tick += 1
    elapsed = tick - start_tick
    return Outcome(
        policy=policy.name,
        cost_usd=float(cost),
        transfer_usd=float(transfer),
        hours=elapsed * world.tick_hours,
        deadline_met=elapsed <= ctx.deadline_ticks,
        preemptions=preemptions,
        launches=launches,
        spot_hours=spot_ticks * world.tick_hours,
        ondemand_hours=ondemand_ticks * world.tick_hours,
        ran_past_trace=ran_past,
        locations=tuple(path) if record else (),
    )
