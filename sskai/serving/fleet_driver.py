"""The fleet planner driven live: a replicated endpoint's replicas follow a world of spot capacity, tick by tick.

The local cloud's world (a shipped trace, or fixed outages) says what each pool can hold at each
tick; a replica on a pool that loses capacity gets EC2's two-minute notice (scaled) and is drained
and ended; the planner's launches start replicas on pools with capacity and on demand. What the
fleet cost is metered per replica at its pool's price, beside what the same replicas on demand
would have cost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from rich.progress import Progress

from sskai.localcloud.simulation import EC2_NOTICE_SECONDS
from sskai.replay.world import World
from sskai.serving.fleet import FleetPlanner, FleetTarget, fleet_usd, survival_costs
from sskai.serving.replicas import ReplicatedTarget
from sskai.serving.router import ReplicaSet
from sskai.store.metadata import Endpoint

ONDEMAND = "on-demand"


@dataclass
class FleetRun:
    """What happened: per tick, the replicas per pool and on demand; the preemptions; the cost and on demand's."""

    pools: tuple[str, ...]
    spot: list[list[int]] = field(default_factory=list)
    ondemand: list[int] = field(default_factory=list)
    preempted: int = 0
    preemptions: list[tuple[float, float]] = field(default_factory=list)  # monotonic: notice given, replica gone
    usd: float = 0.0
    ondemand_only_usd: float = 0.0
    reasons: list[str] = field(default_factory=list)


def drive_fleet(
    target: ReplicatedTarget,
    endpoint: Endpoint,
    world: World,
    fleet: FleetTarget,
    start_tick: int,
    ticks: int,
    time_scale: float,
    hazards_per_hour: np.ndarray | None = None,
    show_progress: bool = False,
) -> FleetRun:
    """Play ``ticks`` of ``world`` from ``start_tick`` against the endpoint's replicas, ``time_scale`` times fast.

    The replicas it starts with (labelled by the deploy, not by a pool) are retired, drained, once
    the first tick's fleet is up.
    """
    names = tuple(pool.name for pool in world.pools)
    planner = FleetPlanner(fleet, names)
    hazards = np.zeros(len(names)) if hazards_per_hour is None else hazards_per_hour
    notice = EC2_NOTICE_SECONDS / time_scale
    run = FleetRun(pools=names)
    adopted = [r.name for r in ReplicaSet.read(target.folder(endpoint.id)).replicas]
    with Progress(disable=not show_progress) as progress:
        bar = progress.add_task(f"{world.name}: replicas over {ticks} ticks", total=ticks)
        for tick in range(start_tick, start_tick + ticks):
            began = time.monotonic()
            replicas = ReplicaSet.read(target.folder(endpoint.id)).replicas
            held = np.array([sum(r.pool == name for r in replicas) for name in names])
            ondemand_now = sum(r.pool == ONDEMAND for r in replicas)
            capacity, prices = world.capacity[:, tick], world.prices[:, tick]
            step = planner.step(held, capacity, survival_costs(prices, hazards), ondemand_now)
            run.reasons += [f"tick {tick}: {reason}" for reason in step.reasons]
            for pool in np.flatnonzero(step.lost):
                for replica in [r for r in replicas if r.pool == names[pool]][: int(step.lost[pool])]:
                    noticed = time.monotonic()
                    target.retire(endpoint, replica.name, notice_seconds=notice)  # EC2's notice, then gone
                    run.preempted += 1
                    run.preemptions.append((noticed, time.monotonic()))
            for pool in np.flatnonzero(step.launch):
                for _ in range(int(step.launch[pool])):
                    target.add_replica(endpoint, names[pool])
            for _ in range(step.ondemand - ondemand_now):
                target.add_replica(endpoint, ONDEMAND)
            for replica in [r for r in replicas if r.pool == ONDEMAND][: max(0, ondemand_now - step.ondemand)]:
                target.retire(endpoint, replica.name, notice_seconds=notice)  # scaled down: drained, not cut
            while adopted:
                target.retire(endpoint, adopted.pop(), notice_seconds=notice)
            spot = (held - step.lost + step.launch).astype(int)
            run.spot.append(spot.tolist())
            run.ondemand.append(step.ondemand)
            run.usd += fleet_usd(spot, prices, step.ondemand, world.ondemand_usd_per_hour, world.tick_hours)
            replicas_now = int(spot.sum()) + step.ondemand
            run.ondemand_only_usd += replicas_now * world.ondemand_usd_per_hour * world.tick_hours
            progress.advance(bar)
            time.sleep(max(0.0, began + world.tick_seconds / time_scale - time.monotonic()))
    return run
