"""A training's spot policy at work on the local cluster: the local cloud plays its candidate pools, the
controller steps the policy, the placement moves the worker slots; every decision goes on the timeline.

Built before the cluster starts, so that the workers start where the policy's first decision puts
them; started once the cluster is up; stopped with the training.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from sskai.catalog.catalog import Catalog
from sskai.clusters.base import Cluster
from sskai.costs.metering import record_transfer_cost
from sskai.kinds import EventKind
from sskai.localcloud.cloud import LocalCloud, Note
from sskai.localcloud.simulation import CloudScript, SpotSimulation
from sskai.plans import PoolCandidate, TrainingPlan
from sskai.replay.engine import policy_job
from sskai.replay.world import ReplayJob
from sskai.risk.shipped import offer_candidate
from sskai.spot.controller import History, SpotController
from sskai.spot.driver import Step
from sskai.spot.placement import ClusterPlacement
from sskai.spot.policies import policy_named
from sskai.spot.policy import PolicyJob, SpotPolicy
from sskai.store.metadata import Dataset, Model, Training, utcnow
from sskai.store.stores import Stores
from sskai.training.config import TrainingConfig
from sskai.units import SECONDS_PER_HOUR

# Beyond provisioning, a (re)start restores the checkpoint and restarts Ray Train's worker group: real
# seconds on this machine whatever the simulation's time scale (measured: 15-60 s), so scaled up with it.
RESTORE_WALL_SECONDS = 30.0
# A checkpoint holds the weights and the optimizer's two moments: about three copies of the model.
CHECKPOINT_COPIES = 3
# Seconds of training between two checkpoints, as the plan's workload assumes by default.
CHECKPOINT_INTERVAL_SECONDS = 600.0
GB = 1e9


def training_candidates(record: Training, catalog: Catalog) -> tuple[PoolCandidate, ...]:
    """The plan's candidate pools, or the elected pool alone for a training recorded without them."""
    plan = TrainingPlan.model_validate(record.plan) if record.plan else None
    if plan is not None and plan.candidates:
        return plan.candidates
    if not (record.instance_type and record.region):
        return ()
    return (offer_candidate(catalog, record.instance_type, record.region),)


def replay_job(
    stores: Stores, record: Training, simulation: SpotSimulation, script: CloudScript, elapsed_hours: float
) -> ReplayJob:
    """The training as the replay sees it: its work, what is left of its deadline, its gang and its data."""
    config = TrainingConfig.model_validate(record.config)
    plan = TrainingPlan.model_validate(record.plan) if record.plan else None
    estimate = plan.estimated_ondemand_hours if plan is not None else None
    work_hours = estimate or script.world.tick_hours  # refined by the training's progress once it reports
    dataset = stores.metadata.get(Dataset, record.dataset_id)
    model = stores.metadata.get(Model, record.model_id)
    deadline = math.inf if config.deadline_hours is None else config.deadline_hours - elapsed_hours
    return ReplayJob(
        work_hours=max(work_hours * (1.0 - record.progress), script.world.tick_hours),
        deadline_hours=deadline,
        gang=config.min_workers or config.num_workers,
        restart_seconds=simulation.provisioning_seconds + RESTORE_WALL_SECONDS * simulation.time_scale,
        data_gb=(dataset.size_bytes + CHECKPOINT_COPIES * model.size_bytes) / GB,
        checkpoint_interval_seconds=CHECKPOINT_INTERVAL_SECONDS,
        notice_checkpoints=config.checkpoint_on_notice,
    )


@dataclass
class SpotRun:
    """The parts that run beside one attempt."""

    job: PolicyJob
    script: CloudScript
    candidates: tuple[PoolCandidate, ...]
    controller: SpotController
    placement: ClusterPlacement
    cloud: LocalCloud

    def start(self) -> None:
        """Once the cluster is up: its workers are where the first decision put them."""
        self.placement.adopt(self.controller.where)
        self.placement.start()
        self.cloud.start()

    def stop(self) -> None:
        self.cloud.stop()
        self.placement.stop()


def plan_spot_run(
    stores: Stores,
    record: Training,
    simulation: SpotSimulation,
    catalog: Catalog,
    cluster: Cluster,
    note: Note,
    clock_starts: Callable[[], bool] = lambda: True,
) -> SpotRun:
    """Everything for one attempt under ``simulation``; the policy's first decision is taken here, and the
    (not yet started) ``cluster``'s workers are planned where it puts them."""
    config = TrainingConfig.model_validate(record.config)
    candidates = training_candidates(record, catalog)
    gang = config.min_workers or config.num_workers
    script = simulation.script(candidates, gang, catalog, config.num_workers)
    if simulation.source == "trace":
        candidates = script.pool_candidates()
    elapsed = (utcnow() - record.started_at).total_seconds() if record.started_at else 0.0
    job = replay_job(stores, record, simulation, script, elapsed * simulation.time_scale / SECONDS_PER_HOUR)
    spec = policy_job(script.world, job, script.start_tick, script.priors)
    world = script.world

    def on_step(step: Step) -> None:
        if step.record is not None:
            note(
                EventKind.DECISION,
                None,
                decision=step.record.kind,
                pool=step.record.pool,
                where=step.after.describe(spec.pool_names),
                reason=step.record.reason,
                at_hours=step.record.at_hours,
            )
        if step.launched:
            usd = spec.launch_usd[-1 if step.after.on_demand else step.after.pool]
            if usd > 0:
                to = world.home_region if step.after.on_demand else candidates[step.after.pool].region
                record_transfer_cost(stores, record, usd, job.data_gb, world.home_region, to)

    before = record.progress
    return assemble(
        script,
        spec,
        candidates,
        cluster,
        policy_named(config.spot_policy),
        simulation,
        note,
        on_step,
        lambda: _progress(stores, record.id, before),
        clock_starts,
    )


def assemble(
    script: CloudScript,
    spec: PolicyJob,
    candidates: tuple[PoolCandidate, ...],
    cluster: Cluster,
    policy: SpotPolicy,
    simulation: SpotSimulation,
    note: Note,
    on_step: Callable[[Step], None] = lambda step: None,
    progress: Callable[[], float | None] = lambda: None,
    clock_starts: Callable[[], bool] = lambda: True,
) -> SpotRun:
    """The cloud, the controller and the placement for ``spec`` on ``cluster``, with tick 0 played: the
    (not yet started) cluster's workers are planned where the first decision puts them."""
    world, start, workers = script.world, script.start_tick, cluster.plan.workers
    placement = ClusterPlacement(
        cluster,
        tuple(worker.slot for worker in workers),
        candidates,
        candidates[0],
        room=lambda pool: cloud.room(pool),
        price=lambda pool: cloud.price(pool),
        provisioning_seconds=simulation.scaled_provisioning_seconds,
        cpus=workers[0].cpus if workers else 1,
        gpus=workers[0].gpus if workers else 0,
    )
    history = History(world.capacity[:, :start], world.prices[:, :start], world.tick_seconds)
    controller = SpotController(policy, spec, history, placement, on_step, progress)
    cloud = LocalCloud(script, cluster, placement, controller, spec.gang, simulation.time_scale, note, clock_starts)
    cloud.play_tick()  # tick 0: the first decision, before any node starts
    first = controller.where
    if not first.idle:
        cluster.plan = replace(cluster.plan, workers=tuple(placement.spec(w.slot, first) for w in workers))
    return SpotRun(spec, script, candidates, controller, placement, cloud)


def _progress(stores: Stores, training_id: str, before: float) -> float | None:
    """The share of what this attempt has to do that it has done, as the training's last report says."""
    now = stores.metadata.get(Training, training_id).progress
    return (now - before) / (1.0 - before) if now > before and before < 1.0 else None
