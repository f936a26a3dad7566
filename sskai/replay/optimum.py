"""The best any policy could have done: the cheapest schedule that meets the deadline, knowing the trace.

Dynamic programming backwards over the ticks to the deadline, with the engine's exact rules
(``sskai.replay.engine``). The state is (location, overhead still owed, progress); progress is a
vector, so each tick is a handful of numpy operations per location. The value is the cheapest cost
to finish on time from that state; infinity where the deadline cannot be met.
"""

from __future__ import annotations

import numpy as np

from sskai.replay.engine import context
from sskai.replay.world import ReplayJob, World


def _advance(values: np.ndarray) -> np.ndarray:
    """Value after one tick of progress: index p reads p + 1 (finished stays finished, at no cost)."""
    return np.append(values[1:], 0.0)


def optimal_cost(world: World, job: ReplayJob, start_tick: int) -> float:
    ctx = context(world, job, start_tick)
    work, deadline, restart = ctx.work_ticks, ctx.deadline_ticks, ctx.restart_ticks
    capacity, prices = world.capacity, world.prices
    locations = ctx.pool_count + 1  # the pools, then on demand
    debts = max(restart, 1)
    gang_hours = job.gang * world.tick_hours
    unfinished = np.full(work + 1, np.inf)
    unfinished[work] = 0.0
    idle_next = unfinished.copy()
    run_next = np.broadcast_to(unfinished, (locations, debts, work + 1)).copy()
    for step in reversed(range(deadline)):
        tick = start_tick + step
        if tick < world.ticks:
            available = np.append(capacity[:, tick] >= job.gang, True)
            price = np.append(prices[:, tick], world.ondemand_usd_per_hour) * gang_hours
        else:
            available = np.append(np.zeros(ctx.pool_count, dtype=bool), True)
            price = np.append(np.zeros(ctx.pool_count), world.ondemand_usd_per_hour * gang_hours)
        enter = np.full((locations, work + 1), np.inf)
        keep = np.full((locations, debts, work + 1), np.inf)
        for loc in np.flatnonzero(available):
            after_launch = run_next[loc, restart - 1] if restart else _advance(run_next[loc, 0])
            enter[loc] = ctx.launch_usd[loc] + price[loc] + after_launch
            keep[loc, 0] = price[loc] + _advance(run_next[loc, 0])
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
            if available[loc]:
                elsewhere = np.where(best_at == loc, second, best)
                run[loc] = np.minimum(keep[loc], np.minimum(idle_next, elsewhere))
            else:
                run[loc] = idle  # preempted: this tick starts idle
        idle[work] = 0.0
        run[:, :, work] = 0.0
        idle_next, run_next = idle, run
    return float(idle_next[0])
