"""A stored training run: created from a model, a dataset and a plan; run; metered; recorded."""

from __future__ import annotations

import time
from typing import Any

from sskai.catalog.catalog import Catalog
from sskai.errors import TrainingFailed
from sskai.metering import record_node_cost
from sskai.store.metadata import Dataset, Model, Status, Training, utcnow
from sskai.store.stores import Stores
from sskai.training.config import TrainingConfig
from sskai.training.runner import run_training


def create_training(
    stores: Stores, model: Model, dataset: Dataset, config: TrainingConfig, plan: dict[str, Any] | None
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
            config=config.model_dump(),
            instance_type=(plan or {}).get("instance_type"),
            region=(plan or {}).get("region"),
            status=Status.PENDING,
        )
    )


def run_stored_training(stores: Stores, training_id: str, catalog: Catalog) -> Training:
    """Run (or resume) a training; every second it ran is metered, whether it succeeds or fails."""
    record = stores.metadata.get(Training, training_id)
    model = stores.metadata.get(Model, record.model_id)
    dataset = stores.metadata.get(Dataset, record.dataset_id)
    config = TrainingConfig(**record.config)
    stores.metadata.update(
        Training, training_id, status=Status.RUNNING, metrics={}, started_at=record.started_at or utcnow()
    )
    period_start, started = utcnow(), time.monotonic()
    try:
        outcome = run_training(
            training_id=training_id,
            config=config,
            store=stores.artifacts,
            database_url=stores.settings.database_url,
            model_key=model.artifact_key,
            dataset_key=dataset.artifact_key,
            model_spec=model.manifest,
            dataset_spec=dataset.manifest,
        )
    except TrainingFailed as exc:
        _meter(stores, catalog, record, period_start, time.monotonic() - started)
        stores.metadata.update(
            Training, training_id, status=Status.FAILED, status_reason=str(exc), finished_at=utcnow()
        )
        stores.metadata.log(record.owner, "training", training_id, f"training failed: {exc}", "ERROR")
        raise
    _meter(stores, catalog, record, period_start, time.monotonic() - started)
    metrics = {k: v for k, v in outcome.metrics.items() if k not in {"progress", "epoch_position"}}
    stores.metadata.log(
        record.owner,
        "training",
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


def _meter(stores: Stores, catalog: Catalog, record: Training, period_start: Any, seconds: float) -> None:
    if record.instance_type and record.region:
        record_node_cost(
            stores,
            catalog,
            resource_kind="training",
            resource_id=record.id,
            owner=record.owner,
            instance_type=record.instance_type,
            region=record.region,
            seconds=seconds,
            period_start=period_start,
            node_count=1,
        )
