"""A stored training run: created from a model, a dataset and a plan; run; metered; recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sskai.bundles.spec import dataset_spec, model_spec
from sskai.catalog.catalog import Catalog
from sskai.catalog.versions import current_catalog
from sskai.clusters import open_cluster
from sskai.clusters.base import ClusterFeature, NodeChange, NodeRun
from sskai.costs.metering import record_node_run_cost
from sskai.errors import ConfigError, SskaiError, TrainingFailed
from sskai.kinds import EventKind, LogLevel, ResourceKind, Status
from sskai.localcloud.simulation import SpotSimulation
from sskai.ownership.claims import claimed
from sskai.ownership.reaper import reap_abandoned
from sskai.plans import TrainingPlan
from sskai.store.metadata import Dataset, Model, Training, TrainingAttempt, TrainingEvent, utcnow
from sskai.store.stores import Stores
from sskai.training.attempts import check_can_run, finish_attempt, resume_hint, start_attempt
from sskai.training.cluster_plan import cluster_plan
from sskai.training.config import TrainingConfig
from sskai.training.job import TrainingJob
from sskai.training.runner import TrainingOutcome, run_training
from sskai.training.spot_run import plan_spot_run
from sskai.training.timeline import lost_work, record_event, training_events


def create_training(
    stores: Stores, model: Model, dataset: Dataset, config: TrainingConfig, plan: TrainingPlan | None
) -> Training:
    x_shape, input_shape = dataset_spec(dataset).x_shape, model_spec(model).input_shape
    if x_shape is not None and tuple(x_shape) != tuple(input_shape):
        raise TrainingFailed(
            f"dataset {dataset.name} has samples of shape {list(x_shape)}, but model {model.name} "
            f"declares input shape {list(input_shape)}"
        )
    check_deadline(config, plan)
    return stores.metadata.add(
        Training(
            owner=model.owner,
            model_id=model.id,
            dataset_id=dataset.id,
            config=config.model_dump(mode="json"),
            instance_type=plan.instance_type if plan else None,
            region=plan.region if plan else None,
            plan=plan.model_dump(mode="json") if plan else None,
            status=Status.PENDING,
        )
    )


def check_deadline(config: TrainingConfig, plan: TrainingPlan | None) -> None:
    """Refuse, before anything starts, a deadline that even on-demand nodes could not meet."""
    if config.deadline_hours is None or plan is None or plan.estimated_ondemand_hours is None:
        return
    if config.deadline_hours < plan.estimated_ondemand_hours:
        raise ConfigError(
            f"a deadline of {config.deadline_hours:g} h cannot be met: on demand, {plan.instance_type} in "
            f"{plan.region} needs an estimated {plan.estimated_ondemand_hours:.3g} h (start-up included) for "
            f"this training; give at least {plan.estimated_ondemand_hours:.3g} h, or no deadline"
        )


def training_job(record: Training, model: Model, dataset: Dataset, stores: Stores) -> TrainingJob:
    """What Ray's workers get for this training: the config, the bundles' keys and specs, where artifacts live."""
    return TrainingJob(
        training_id=record.id,
        config=TrainingConfig.model_validate(record.config),
        artifacts=stores.settings.artifacts,
        model_key=model.artifact_key,
        dataset_key=dataset.artifact_key,
        model_spec=model_spec(model),
        dataset_spec=dataset_spec(dataset),
    )


def run_stored_training(
    stores: Stores, training_id: str, catalog: Catalog, simulation: SpotSimulation | None = None
) -> Training:
    """Run (or resume) a training on the configured cluster; every node-second it ran is metered, success or not.

    Each call is one attempt, claimed by this process while it runs. A rerun of the same training
    (a Prefect retry, ``sskai train --resume``) resumes from its newest complete checkpoint. With a
    ``simulation`` the local cloud plays spot capacity for the candidate pools and the training's spot
    policy places its workers (moves, waits, falls back to on demand).
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
    with claimed(stores, attempt, f"attempt {attempt.number} of training {training_id}"):
        spot = None
        try:
            if simulation is not None:
                cluster.require(ClusterFeature.MOVE_NODES, ClusterFeature.SIMULATED_RECLAIM)
                spot = plan_spot_run(
                    stores,
                    stores.metadata.get(Training, training_id),
                    simulation,
                    catalog,
                    cluster,
                    note,
                    note.training_started,
                )
            with cluster:
                if spot is not None:
                    spot.start()
                try:
                    outcome = run_training(job, cluster, stores.artifacts, stores.settings.database_url, attempt.number)
                finally:
                    if spot is not None:
                        spot.stop()
        except BaseException as exc:  # every way out is recorded; the error itself goes on up
            _meter_nodes(stores, record, attempt.number, cluster.node_runs)
            _record_failure(stores, record, attempt, note, exc)
            raise
        _meter_nodes(stores, record, attempt.number, cluster.node_runs)
        return _record_success(stores, record, attempt, note, outcome, model, dataset)


def _record_failure(
    stores: Stores, record: Training, attempt: TrainingAttempt, note: EventNote, exc: BaseException
) -> None:
    # A deterministic sskai error would fail the same way again; anything else is worth resuming.
    deterministic = isinstance(exc, SskaiError) and not exc.retryable
    reason = str(exc) if isinstance(exc, SskaiError) else f"interrupted by {type(exc).__name__}: {exc}"
    if not deterministic:
        reason = f"{reason}; {resume_hint(record.id)}"
    note(EventKind.ATTEMPT_ENDED, status=Status.FAILED, reason=reason)
    finish_attempt(stores, attempt, Status.FAILED, reason)
    stores.metadata.update(Training, record.id, status=Status.FAILED, status_reason=reason, finished_at=utcnow())
    stores.metadata.log(record.owner, ResourceKind.TRAINING, record.id, f"training failed: {reason}", LogLevel.ERROR)


def _record_success(
    stores: Stores,
    record: Training,
    attempt: TrainingAttempt,
    note: EventNote,
    outcome: TrainingOutcome,
    model: Model,
    dataset: Dataset,
) -> Training:
    metrics = outcome.metrics
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
        record.id,
        f"trained {model.name} on {dataset.name}: {len(outcome.history)} epochs, final {metrics}",
    )
    return stores.metadata.update(
        Training,
        record.id,
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

    def node_change(self, change: NodeChange, run: NodeRun) -> None:
        if change is NodeChange.UP:
            self(EventKind.NODE_UP, run.spec.slot, run.started_at, node_id=run.node_id, **_node_detail(run))
        else:
            self(EventKind.NODE_DOWN, run.spec.slot, run.ended_at, node_id=run.node_id, reason=run.end_reason)


def _node_detail(run: NodeRun) -> dict[str, Any]:
    spec = run.spec
    return {
        "instance_type": spec.instance_type,
        "region": spec.region,
        "usd_per_hour": spec.usd_per_hour,
        "spot": spec.spot,
    }


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
