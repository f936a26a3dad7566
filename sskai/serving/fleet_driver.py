"""The fleet planner driven live: a replicated endpoint's replicas follow a world of spot capacity, tick by tick.

The local cloud's world (a shipped trace, or fixed outages) says what each pool can hold at each
tick; a replica on a pool that loses capacity gets EC2's two-minute notice (scaled) and is drained
and ended; the spot policy's launches start replicas on pools with capacity and on demand, a move
starts the new replica before the old one is drained. The policy reads only what the driver has
seen (a ``History``, as beside a live training). What the fleet cost is metered per replica at its
pool's price, beside what the same replicas on demand would have cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.progress import Progress

from sskai.kinds import LogLevel, ResourceKind
from sskai.localcloud.simulation import EC2_NOTICE_SECONDS
from sskai.replay.world import World
from sskai.risk.model import PoolRisk, RiskModel
from sskai.serving.fleet import (
    LOST_WITH,
    FleetPlanner,
    FleetTarget,
    fleet_usd,
    ondemand_fleet_usd,
    serving_job,
    world_pools,
)
from sskai.serving.replicas import ReplicatedTarget
from sskai.serving.router import ReplicaSet
from sskai.spot.controller import History
from sskai.store.metadata import Endpoint
from sskai.store.stores import Stores

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
    risk: RiskModel | Sequence[PoolRisk],
    show_progress: bool = False,
    note: Callable[[str], None] = lambda line: None,
) -> FleetRun:
    """Play ``ticks`` of ``world`` from ``start_tick`` against the endpoint's replicas, ``time_scale`` times fast.

    ``risk`` gives each pool's prior (the calibrated model, or the priors themselves); ``note`` hears
    every decision and loss, one line each (the endpoint's log, where the dashboard plots them). The replicas it
    starts with (labelled by the deploy, not by a pool) are retired, drained, once the first tick's
    fleet is up.
    """
    names = tuple(pool.name for pool in world.pools)
    history = History(world.capacity[:, :start_tick], world.prices[:, :start_tick], world.tick_seconds)
    job = serving_job(world_pools(world, start_tick, risk), world.ondemand_usd_per_hour, world.tick_seconds)
    planner = FleetPlanner(fleet, job, history.past, history.next_tick)
    notice = EC2_NOTICE_SECONDS / time_scale
    hits = world.preempts(1)
    run = FleetRun(pools=names)
    adopted = [r.name for r in ReplicaSet.read(target.folder(endpoint.id)).replicas]
    with Progress(disable=not show_progress) as progress:
        bar = progress.add_task(f"{world.name}: replicas over {ticks} ticks", total=ticks)
        for tick in range(start_tick, start_tick + ticks):
            began = time.monotonic()
            replicas = ReplicaSet.read(target.folder(endpoint.id)).replicas
            on_pool = {name: [r.name for r in replicas if r.pool == name] for name in (*names, ONDEMAND)}
            ondemand_now = len(on_pool[ONDEMAND])
            capacity, prices = world.capacity[:, tick], world.prices[:, tick]
            step = planner.step(history.append(capacity, prices), capacity, prices, ondemand_now, hits[:, tick])
            run.reasons += [f"tick {tick}: {reason}" for reason in step.reasons]
            for reason in step.reasons:
                note(reason)
            for pool in np.flatnonzero(step.lost):
                for replica in on_pool[names[pool]][: int(step.lost[pool])]:
                    noticed = time.monotonic()
                    target.retire(endpoint, replica, notice_seconds=notice)  # EC2's notice, then gone
                    on_pool[names[pool]].remove(replica)
                    run.preempted += 1
                    run.preemptions.append((noticed, time.monotonic()))
            for pool in np.flatnonzero(step.launch):
                for _ in range(int(step.launch[pool])):
                    target.add_replica(endpoint, names[pool])
            for _ in range(step.ondemand - ondemand_now):
                target.add_replica(endpoint, ONDEMAND)
            for pool in np.flatnonzero(step.moved):  # the new replica answers already: drain the old
                for replica in on_pool[names[pool]][: int(step.moved[pool])]:
                    target.retire(endpoint, replica, notice_seconds=notice)
            for replica in on_pool[ONDEMAND][: max(0, ondemand_now - step.ondemand)]:
                target.retire(endpoint, replica, notice_seconds=notice)  # scaled down: drained, not cut
            while adopted:
                target.retire(endpoint, adopted.pop(), notice_seconds=notice)
            spot = planner.held()
            run.spot.append(spot.tolist())
            run.ondemand.append(step.ondemand)
            run.usd += fleet_usd(spot, prices, step.ondemand, world.ondemand_usd_per_hour, world.tick_hours)
            run.ondemand_only_usd += ondemand_fleet_usd(fleet, world.ondemand_usd_per_hour, world.tick_hours)
            progress.advance(bar)
            time.sleep(max(0.0, began + world.tick_seconds / time_scale - time.monotonic()))
    return run


def endpoint_notes(stores: Stores, endpoint: Endpoint) -> Callable[[str], None]:
    """``drive_fleet``'s ``note`` into the endpoint's log: losses as warnings (the Inference page lists and
    plots them), placements as information."""

    def note(line: str) -> None:
        level = LogLevel.WARNING if LOST_WITH in line else LogLevel.INFO
        stores.metadata.log(endpoint.owner, ResourceKind.ENDPOINT, endpoint.id, f"fleet: {line}", level=level)

    return note
