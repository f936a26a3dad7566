"""A stored training run: created from a model, a dataset and a plan; run; metered; recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sskai.bundles import DatasetSpec, ModelSpec
from sskai.catalog.catalog import Catalog
from sskai.clusters import Cluster, LocalRayCluster, open_cluster
from sskai.clusters.base import NodeRun
from sskai.errors import SskaiError, TrainingFailed
from sskai.kinds import ResourceKind, Status
from sskai.metering import record_node_run_cost
from sskai.pricing import current_catalog
from sskai.recommend import TrainingPlan
from sskai.spot.simulation import SpotSimulation
from sskai.spot.simulator import PreemptionSimulator, SimulatorAction
from sskai.store.metadata import Dataset, Model, Training, TrainingEvent, utcnow
from sskai.store.stores import Stores
from sskai.training.attempts import check_can_run, finish_attempt, reap_abandoned, resume_hint, start_attempt
from sskai.training.cluster_plan import cluster_plan
from sskai.training.config import TrainingConfig
from sskai.training.job import TrainingJob
from sskai.training.runner import RUN_FIELDS, run_training
from sskai.training.timeline import EventKind, lost_work, record_event, training_events

# How far ahead a simulation's schedule is drawn, in real-world seconds (30 days).
SIMULATION_HORIZON_SECONDS = 30 * 24 * 3600.0


def create_training(
    stores: Stores, model: Model, dataset: Dataset, config: TrainingConfig, plan: TrainingPlan | None
) -> Training:
    x_shape = dataset.manifest.get("x_shape")
    if x_shape is not None and list(x_shape) != list(model.manifest["input_shape"]):
        raise TrainingFailed(
            f"dataset {dataset.name} has samples of shape {x_shape}, but model {model.name} "
            f"declares input shape {model.manifest['input_shape']}"
        )
    return stores.metadata.add(
        Training(
            owner=model.owner,
            model_id=model.id,
            dataset_id=dataset.id,
            config=config.model_dump(mode="json"),
            instance_type=plan.instance_type if plan else None,
            region=plan.region if plan else None,
            status=Status.PENDING,
        )
    )


def training_job(record: Training, model: Model, dataset: Dataset, stores: Stores) -> TrainingJob:
    """What Ray's workers get for this training: the config, the bundles' keys and specs, where artifacts live."""
    return TrainingJob(
        training_id=record.id,
        config=TrainingConfig.model_validate(record.config),
        artifacts=stores.settings.artifacts,
        model_key=model.artifact_key,
        dataset_key=dataset.artifact_key,
        model_spec=ModelSpec(**model.manifest),
        dataset_spec=DatasetSpec(**dataset.manifest),
    )


def run_stored_training(
    stores: Stores, training_id: str, catalog: Catalog, simulation: SpotSimulation | None = None
) -> Training:
    """Run (or resume) a training on the configured cluster; every node-second it ran is metered, success or not.

    Each call is one attempt. A rerun of the same training (a Prefect retry, ``sskai train --resume``)
    resumes from its newest complete checkpoint. With a ``simulation`` the local cluster's spot
    workers are drained, killed and replaced on its schedule while the training runs.
    """
    reap_abandoned(stores)
    record = stores.metadata.get(Training, training_id)
    check_can_run(stores, record)
    model = stores.metadata.get(Model, record.model_id)
    dataset = stores.metadata.get(Dataset, record.dataset_id)
    job = training_job(record, model, dataset, stores)
    attempt = start_attempt(stores, record)
    stores.metadata.update(
        Training,
        training_id,
        status=Status.RUNNING,
        status_reason=None,
        metrics={},
        started_at=record.started_at or utcnow(),
        finished_at=None,
    )
    note = EventNote(stores, record.owner, training_id, attempt.number)
    note(EventKind.ATTEMPT_STARTED)
    cluster = open_cluster(stores.settings, cluster_plan(record, catalog))
    cluster.listeners.append(note.node_change)
    try:
        with cluster:
            simulator = _start_simulator(cluster, _rated(simulation, record, catalog), note)
            try:
                outcome = run_training(job, cluster, stores.artifacts, stores.settings.database_url, attempt.number)
            finally:
                if simulator is not None:
                    simulator.stop()
    except BaseException as exc:  # every way out is recorded; the error itself goes on up
        _meter_nodes(stores, record, attempt.number, cluster.node_runs)
        # A deterministic sskai error would fail the same way again; anything else is worth resuming.
        deterministic = isinstance(exc, SskaiError) and not exc.retryable
        reason = str(exc) if isinstance(exc, SskaiError) else f"interrupted by {type(exc).__name__}: {exc}"
        if not deterministic:
            reason = f"{reason}; {resume_hint(training_id)}"
        note(EventKind.ATTEMPT_ENDED, status=Status.FAILED, reason=reason)
        finish_attempt(stores, attempt, Status.FAILED, reason)
        stores.metadata.update(Training, training_id, status=Status.FAILED, status_reason=reason, finished_at=utcnow())
        stores.metadata.log(record.owner, ResourceKind.TRAINING, training_id, f"training failed: {reason}", "ERROR")
        raise
    _meter_nodes(stores, record, attempt.number, cluster.node_runs)
    metrics = {k: v for k, v in outcome.metrics.items() if k not in RUN_FIELDS}
    note(EventKind.ATTEMPT_ENDED, status=Status.SUCCEEDED, global_step=metrics.get("global_step"))
    finish_attempt(
        stores,
        attempt,
        Status.SUCCEEDED,
        resumed_from_step=outcome.resumed_from_step,
        global_step=metrics.get("global_step"),
    )
    stores.metadata.log(
        record.owner,
        ResourceKind.TRAINING,
        training_id,
        f"trained {model.name} on {dataset.name}: {len(outcome.history)} epochs, final {metrics}",
    )
    return stores.metadata.update(
        Training,
        training_id,
        status=Status.SUCCEEDED,
        progress=1.0,
        metrics=metrics,
        history=outcome.history,
        weights_key=outcome.weights_key,
        checkpoint_key=outcome.checkpoint_url,
        finished_at=utcnow(),
    )


class EventNote:
    """Writes one attempt's events to the training's timeline (and says the simulator's errors in its log)."""

    def __init__(self, stores: Stores, owner: str, training_id: str, attempt: int) -> None:
        self.stores, self.owner, self.training_id, self.attempt = stores, owner, training_id, attempt

    def __call__(self, kind: EventKind, slot: str | None = None, at: datetime | None = None, **detail: Any) -> None:
        record_event(
            self.stores.metadata, self.owner, self.training_id, kind, attempt=self.attempt, slot=slot, at=at, **detail
        )

    def training_started(self) -> bool:
        """Has this attempt's worker group taken its first step (Ray Train's controller records it)?"""
        events = self.stores.metadata.list(TrainingEvent, training_id=self.training_id, attempt=self.attempt)
        return any(e.kind == EventKind.RESUMED for e in events)

    def node_change(self, change: str, run: NodeRun) -> None:
        if change == "up":
            self(EventKind.NODE_UP, run.spec.slot, run.started_at, node_id=run.node_id, **_node_detail(run))
        else:
            self(EventKind.NODE_DOWN, run.spec.slot, run.ended_at, node_id=run.node_id, reason=run.end_reason)

    def simulator_action(self, action: SimulatorAction) -> None:
        kinds = {
            "notice": EventKind.NOTICE,
            "capacity_lost": EventKind.CAPACITY_LOST,
            "capacity_back": EventKind.CAPACITY_BACK,
            "error": EventKind.SIMULATOR_ERROR,
        }
        if action.kind in kinds:  # kills and replacements are recorded as nodes going and coming
            self(kinds[action.kind], action.slot, **action.detail)
        if action.kind == "error":
            message = f"preemption simulator: {action.detail}"
            self.stores.metadata.log(self.owner, ResourceKind.TRAINING, self.training_id, message, "WARNING")


def _node_detail(run: NodeRun) -> dict[str, Any]:
    spec = run.spec
    return {
        "instance_type": spec.instance_type,
        "zone": spec.zone,
        "usd_per_hour": spec.usd_per_hour,
        "spot": spec.spot,
    }


def _start_simulator(
    cluster: Cluster, simulation: SpotSimulation | None, note: EventNote
) -> PreemptionSimulator | None:
    if simulation is None:
        return None
    if not isinstance(cluster, LocalRayCluster) or not cluster.owns_nodes:
        raise TrainingFailed("spot simulation needs the local cluster that the training starts itself")
    slots = tuple(spec.slot for spec in cluster.plan.workers)
    events = simulation.schedule().events(slots, SIMULATION_HORIZON_SECONDS / simulation.time_scale)
    simulator = PreemptionSimulator(
        cluster, events, note.simulator_action, simulation.scaled_provisioning_seconds, note.training_started
    )
    simulator.start()
    return simulator


def _rated(simulation: SpotSimulation | None, record: Training, catalog: Catalog) -> SpotSimulation | None:
    if simulation is None or not (record.instance_type and record.region):
        return simulation
    return simulation.with_rates_of(catalog.offer(record.instance_type, record.region).spot_interruption_frequency)


def _meter_nodes(stores: Stores, record: Training, attempt: int, runs: list[NodeRun]) -> None:
    """Each node of the attempt at its own price; the work preemptions threw away is counted against each."""
    events = [e for e in training_events(stores.metadata, record.id) if e.attempt == attempt]
    workers = TrainingConfig.model_validate(record.config).num_workers
    losses = lost_work(events, workers)
    catalog = current_catalog(stores)
    until = utcnow()
    for run in runs:
        rework = 0.0
        if run.spec.spot:
            for loss in losses:
                if run.started_at <= loss.at <= (run.ended_at or until):
                    rework += loss.lost_seconds
        record_node_run_cost(
            stores,
            resource_id=record.id,
            owner=record.owner,
            run=run,
            until=until,
            rework_seconds=rework,
            catalog=catalog,
        )
