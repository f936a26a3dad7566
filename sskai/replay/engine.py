"""Run one spot policy through a world, tick by tick: the replay driver of :mod:`sskai.spot.policy`.

The policy sees the present and a read-only past, never the future (``Past`` is the structure that
enforces it) and never the world itself: the engine hands it the job, its candidate pools with
their risk priors, and an ``Observation`` per tick. Time is charged in seconds:

- a (re)launch pays its data transfer and ``restart_seconds`` of billed overhead, worked off before
  any progress, whatever the tick length;
- a preemption (the pool's count falls below the gang, or a fall hits the gang: ``World.preempts``)
  throws away the work since the last checkpoint (every ``checkpoint_interval_seconds`` of
  progress), unless the job checkpoints on the notice;
- a job that reaches its deadline unfinished is finished on demand by the engine; that cost is part
  of what it paid, and reported apart (``after_deadline_usd``), so a policy that misses deadlines
  cannot look cheap;
- a job still unfinished when the trace ends finishes on demand (``ran_past_trace``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sskai.errors import ConfigError
from sskai.replay.world import ReplayJob, World
from sskai.risk.model import PoolRisk, RiskModel
from sskai.spot.decisions import Where
from sskai.spot.driver import DecisionRecord, PolicyDriver
from sskai.spot.policy import Past, PolicyJob, PoolInfo, SpotPolicy
from sskai.units import SECONDS_PER_HOUR

# How much of the past the engine reads to size a pool (its largest count seen) before the job starts.
SIZE_LOOKBACK_TICKS = 10_000


@dataclass(frozen=True)
class Outcome:
    policy: str
    cost_usd: float
    transfer_usd: float
    hours: float
    deadline_met: bool
    after_deadline_usd: float  # what finishing on demand after a missed deadline cost (part of cost_usd)
    preemptions: int
    launches: int
    moves: int  # launches while holding capacity elsewhere (a pool or on demand)
    spot_hours: float
    ondemand_hours: float
    lost_work_hours: float  # work thrown away by preemptions
    ran_past_trace: bool
    decisions: dict[str, int] = field(default_factory=dict)  # decisions that changed something, by kind
    timeline: tuple[DecisionRecord, ...] = ()  # when recorded
    path: tuple[Where, ...] = ()  # where the job was at each tick, when recorded

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("timeline", "path")}


def pool_infos(
    world: World, job: ReplayJob, start_tick: int, risk: RiskModel | Sequence[PoolRisk]
) -> tuple[PoolInfo, ...]:
    """Each pool with its risk prior for the job's gang: on a pool of N instances (the most seen before the
    job starts) a gang of n is taken to be hit by a loss with probability n / N. ``risk``: the model
    that gives each pool's prior, or the priors themselves (a plan's candidates carry theirs)."""
    seen = world.capacity[:, max(0, start_tick - SIZE_LOOKBACK_TICKS) : max(start_tick, 1)]
    infos = []
    for index, pool in enumerate(world.pools):
        instance_type = pool.instance_type or world.instance_type
        prior = risk[index] if isinstance(risk, Sequence) else risk.risk(instance_type, pool.region)
        size = max(int(seen[index].max()), 1)
        share = min(job.gang / size, 1.0)
        scaled = PoolRisk(
            prior.hazard_per_hour * share, prior.availability, prior.mean_wait_hours, prior.source, prior.basis
        )
        infos.append(PoolInfo(pool.name, pool.region, instance_type, scaled))
    return tuple(infos)


def policy_job(world: World, job: ReplayJob, start_tick: int, risk: RiskModel | Sequence[PoolRisk]) -> PolicyJob:
    return PolicyJob(
        work_seconds=job.work_hours * SECONDS_PER_HOUR,
        deadline_seconds=job.deadline_hours * SECONDS_PER_HOUR,
        pools=pool_infos(world, job, start_tick, risk),
        ondemand_usd_per_hour=world.ondemand_usd_per_hour,
        launch_usd=tuple(float(x) for x in job.launch_usd(world)),
        gang=job.gang,
        restart_seconds=job.restart_seconds,
        checkpoint_interval_seconds=job.checkpoint_interval_seconds,
        notice_checkpoints=job.notice_checkpoints,
        tick_seconds=world.tick_seconds,
    )


def replay(
    policy: SpotPolicy,
    world: World,
    job: ReplayJob,
    start_tick: int,
    risk: RiskModel | Sequence[PoolRisk],
    record: bool = False,
) -> Outcome:
    """``policy``'s outcome for ``job`` started at ``start_tick`` of ``world``; ``risk`` gives the pools' priors
    (the model, or the priors themselves, as a live run's script carries them)."""
    if job.work_hours * SECONDS_PER_HOUR < world.tick_seconds:
        raise ConfigError(f"job of {job.work_hours} h is shorter than one tick ({world.tick_seconds:.0f} s)")
    spec = policy_job(world, job, start_tick, risk)
    capacity, prices, tick = world.capacity, world.prices, world.tick_seconds
    hits = world.preempts(spec.gang)
    driver = PolicyDriver(policy, spec, lambda at: Past(capacity, prices, at, tick), start_tick)
    run = driver.progress
    timeline: list[DecisionRecord] = []
    path: list[Where] = []
    after_deadline, ran_past = 0.0, False
    at = start_tick
    while run.finished_at is None:
        now = driver.now_seconds(at)
        if now >= spec.deadline_seconds:
            after_deadline = run.finish_on_demand(now)
            break
        if at >= world.ticks:
            ran_past = True
            run.finish_on_demand(now)
            break
        step = driver.step(at, capacity[:, at] >= spec.gang, prices[:, at], hits[:, at])
        if record:
            if step.record is not None:
                timeline.append(step.record)
            path.append(step.after)
        at += 1
    finished = run.finished_at if run.finished_at is not None else math.inf
    return Outcome(
        policy=policy.name,
        cost_usd=float(run.cost),
        transfer_usd=float(run.transfer),
        hours=finished / SECONDS_PER_HOUR,
        deadline_met=finished <= spec.deadline_seconds + 1e-6,
        after_deadline_usd=float(after_deadline),
        preemptions=run.preemptions,
        launches=run.launches,
        moves=run.moves,
        spot_hours=run.spot_seconds / SECONDS_PER_HOUR,
        ondemand_hours=run.ondemand_seconds / SECONDS_PER_HOUR,
        lost_work_hours=run.lost / SECONDS_PER_HOUR,
        ran_past_trace=ran_past,
        decisions=dict(driver.counts),
        timeline=tuple(timeline),
        path=tuple(path),
    )
