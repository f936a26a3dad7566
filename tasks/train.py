"""Train tasks: record a training, then run (or resume) it on Ray with a Prefect progress artifact.

A lost cluster fails the task; its retry runs the same training id, so Ray Train resumes from the
newest complete checkpoint in the artifact store instead of starting over.
"""

from __future__ import annotations

import contextvars
import threading

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from sskai.catalog.versions import current_catalog
from sskai.localcloud.simulation import SpotSimulation
from sskai.plans import TrainingPlan
from sskai.reports import to_markdown, training_cost_section
from sskai.store.metadata import Dataset, Model, Training
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training, run_stored_training
from sskai.training.summary import training_summary
from tasks.common import LOOKUP_RETRIES, retry_transient, stores

PROGRESS_POLL_SECONDS = 1.0


@task(**LOOKUP_RETRIES)
def record_training(model_id: str, dataset_id: str, config: TrainingConfig, plan: TrainingPlan | None) -> str:
    """A pending training of this model on this dataset, on the planned instance; returns its id."""
    s = stores()
    model, dataset = s.metadata.get(Model, model_id), s.metadata.get(Dataset, dataset_id)
    return create_training(s, model, dataset, config, plan).id


def _follow_progress(training_id: str, artifact_id: object, done: threading.Event) -> None:
    metadata = stores().metadata
    last = -1.0
    while not done.wait(PROGRESS_POLL_SECONDS):
        progress = metadata.get(Training, training_id).progress
        if progress != last:
            update_progress_artifact(artifact_id, progress=100.0 * progress)
            last = progress


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=retry_transient)
def train_model(training_id: str, spot_simulation: SpotSimulation | None = None) -> str:
    artifact_id = create_progress_artifact(0.0, description=f"Training {training_id}")
    done = threading.Event()
    follower = threading.Thread(
        target=contextvars.copy_context().run, args=(_follow_progress, training_id, artifact_id, done), daemon=True
    )
    follower.start()
    s = stores()
    try:
        record = run_stored_training(s, training_id, current_catalog(s), spot_simulation)
    finally:
        done.set()
        follower.join()
    update_progress_artifact(artifact_id, progress=100.0)
    if record.history:
        create_table_artifact(record.history, key="training-history", description="Loss per epoch")
    create_markdown_artifact(
        to_markdown([training_cost_section(training_summary(s, training_id))]),
        key="training-cost",
        description="What the training cost on spot, and what preemptions took",
    )
    get_run_logger().info("training %s finished: %s", training_id, record.metrics)
    return record.id
