"""A stored training run: created from a model, a dataset and a plan; run; metered; recorded."""

from __future__ import annotations

import time
from datetime import datetime

from sskai.bundles import DatasetSpec, ModelSpec
from sskai.catalog.catalog import Catalog
from sskai.clusters import open_cluster
from sskai.errors import SskaiError, TrainingFailed
from sskai.kinds import ResourceKind, Status
from sskai.metering import record_node_cost
from sskai.recommend import TrainingPlan
from sskai.store.metadata import Dataset, Model, Training, utcnow
from sskai.store.stores import Stores
from sskai.training.attempts import check_can_run, finish_attempt, reap_abandoned, resume_hint, start_attempt
from sskai.training.config import TrainingConfig
from sskai.training.job import TrainingJob
from sskai.training.runner import RUN_FIELDS, run_training


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


def run_stored_training(stores: Stores, training_id: str, catalog: Catalog) -> Training:
    """Run (or resume) a training on the configured cluster; every second it ran is metered, success or not.

    Each call is one attempt. A rerun of the same training (a Prefect retry, ``sskai train --resume``)
    resumes from its newest complete checkpoint.
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
    period_start, started = utcnow(), time.monotonic()
    try:
        with open_cluster(stores.settings) as cluster:
            outcome = run_training(job, cluster, stores.artifacts, stores.settings.database_url)
    except BaseException as exc:  # every way out is recorded; the error itself goes on up
        _meter(stores, catalog, record, period_start, time.monotonic() - started)
        # A deterministic sskai error would fail the same way again; anything else is worth resuming.
        deterministic = isinstance(exc, SskaiError) and not exc.retryable
        reason = str(exc) if isinstance(exc, SskaiError) else f"interrupted by {type(exc).__name__}: {exc}"
        if not deterministic:
            reason = f"{reason}; {resume_hint(training_id)}"
        finish_attempt(stores, attempt, Status.FAILED, reason)
        stores.metadata.update(Training, training_id, status=Status.FAILED, status_reason=reason, finished_at=utcnow())
        stores.metadata.log(record.owner, ResourceKind.TRAINING, training_id, f"training failed: {reason}", "ERROR")
        raise
    _meter(stores, catalog, record, period_start, time.monotonic() - started)
    metrics = {k: v for k, v in outcome.metrics.items() if k not in RUN_FIELDS}
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


def _meter(stores: Stores, catalog: Catalog, record: Training, period_start: datetime, seconds: float) -> None:
    if record.instance_type and record.region:
        record_node_cost(
            stores,
            catalog,
            resource_kind=ResourceKind.TRAINING,
            resource_id=record.id,
            owner=record.owner,
            instance_type=record.instance_type,
            region=record.region,
            seconds=seconds,
            period_start=period_start,
            node_count=1,
        )
