"""The best any policy could have done: the cheapest schedule that meets the deadline, knowing the trace.

Dynamic programming backwards over the ticks to the deadline. The state is (location, overhead
still owed, progress); progress is a vector, so each tick is a handful of numpy operations per
location. The value is the cheapest cost to finish on time from that state; infinity where the
deadline cannot be met.

It is a lower bound on every replay (``sskai.replay.engine``) of the same job: it loses no work to a
preemption (it knows when each comes and leaves in time), owes a relaunch only its whole ticks
(``floor(restart / tick)``), bills the last tick of work by the fraction it needs, and may finish
within the tick the deadline falls in.
"""

from __future__ import annotations

import math

import numpy as np

from sskai.replay.world import ReplayJob, World
from sskai.units import SECONDS_PER_HOUR


def _advance(values: np.ndarray) -> np.ndarray:
    """Value after one tick of progress: index p reads p + 1 (finished stays finished, at no cost)."""
    return np.append(values[1:], 0.0)


def optimal_cost(world: World, job: ReplayJob, start_tick: int) -> float:
    tick = world.tick_seconds
    work_seconds = job.work_hours * SECONDS_PER_HOUR
    work = math.ceil(work_seconds / tick - 1e-9)
    last_share = work_seconds / tick - (work - 1)  # of the final tick of work
    deadline = math.ceil(job.deadline_hours * SECONDS_PER_HOUR / tick - 1e-9)
    restart = math.floor(job.restart_seconds / tick + 1e-9)
    capacity, prices, hits = world.capacity, world.prices, world.preempts(job.gang)
    pool_count = len(world.pools)
    locations = pool_count + 1  # the pools, then on demand
    launch_usd = job.launch_usd(world)
    debts = max(restart, 1)
    gang_hours = job.gang * world.tick_hours
    share = np.ones(work + 1)  # what a tick of progress from p costs, as a share of a tick
    share[work - 1], share[work] = last_share, 0.0
    unfinished = np.full(work + 1, np.inf)
    unfinished[work] = 0.0
    idle_next = unfinished.copy()
    run_next = np.broadcast_to(unfinished, (locations, debts, work + 1)).copy()
    for step in reversed(range(deadline)):
        at = start_tick + step
        if at < world.ticks:
            available = np.append(capacity[:, at] >= job.gang, True)
            hit = np.append(hits[:, at], False)  # a gang holding the pool since the tick before loses it now
            price = np.append(prices[:, at], world.ondemand_usd_per_hour) * gang_hours
        else:
            available = np.append(np.zeros(pool_count, dtype=bool), True)
            hit = np.zeros(locations, dtype=bool)
            price = np.append(np.zeros(pool_count), world.ondemand_usd_per_hour * gang_hours)
        enter = np.full((locations, work + 1), np.inf)
        keep = np.full((locations, debts, work + 1), np.inf)
        for loc in np.flatnonzero(available):
            progressing = price[loc] * share + _advance(run_next[loc, 0])
            enter[loc] = launch_usd[loc] + (price[loc] + run_next[loc, restart - 1] if restart else progressing)
            keep[loc, 0] = progressing
            for debt in range(1, debts):
                keep[loc, debt] = price[loc] + run_next[loc, debt - 1]
        best = enter.min(axis=0)
        best_at = enter.argmin(axis=0)
        masked = enter.copy()
        masked[best_at, np.arange(work + 1)] = np.inf
        second = masked.min(axis=0)
        idle = np.minimum(idle_next, best)
        run = np.empty_like(run_next)
        for loc in range(locations):
            if available[loc] and not hit[loc]:
                elsewhere = np.where(best_at == loc, second, best)
                run[loc] = np.minimum(keep[loc], np.minimum(idle_next, elsewhere))
            else:
                run[loc] = idle  # preempted: this tick starts idle (and may launch again, here too)
        idle[work] = 0.0
        run[:, :, work] = 0.0
        idle_next, run_next = idle, run
    return float(idle_next[0])
