"""Train flow: train a stored model on a stored dataset, on the instance the recommendation chose."""

from __future__ import annotations

from prefect import flow

from sskai.localcloud.simulation import SpotSimulation
from sskai.training.config import TrainingConfig
from tasks.lookup import find_dataset, find_model, training_plan
from tasks.train import record_training, train_model


@flow(name="train")
def train_flow(
    model_name: str,
    dataset_name: str,
    config: TrainingConfig = TrainingConfig(),
    recommendation_id: str | None = None,
    model_version: int | None = None,
    dataset_version: int | None = None,
    spot_simulation: SpotSimulation | None = None,
) -> str:
    """Train on the elected spot nodes; a ``spot_simulation`` reclaims the local cluster's workers as a cloud would."""
    model_id = find_model(model_name, model_version)
    dataset_id = find_dataset(dataset_name, dataset_version)
    plan = training_plan(model_id, recommendation_id)
    training_id = record_training(model_id, dataset_id, config, plan)
    return train_model(training_id, spot_simulation)


@flow(name="resume-training")
def resume_training_flow(training_id: str, spot_simulation: SpotSimulation | None = None) -> str:
    """Continue an interrupted training from its newest complete checkpoint (a new attempt, same training)."""
    return train_model(training_id, spot_simulation)
