"""Train flow: train a stored model on a stored dataset, on the instance the recommendation chose."""

from __future__ import annotations

from typing import Any

from prefect import flow

from sskai.store.metadata import Dataset, Model, Recommendation
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training
from tasks.common import stores
from tasks.train import train_model


@flow(name="train")
def train_flow(
    model_name: str,
    dataset_name: str,
    config: dict[str, Any] | None = None,
    recommendation_id: str | None = None,
    model_version: int | None = None,
    dataset_version: int | None = None,
) -> str:
    s = stores()
    model = s.metadata.find_version(Model, s.settings.owner, model_name, model_version)
    dataset = s.metadata.find_version(Dataset, s.settings.owner, dataset_name, dataset_version)
    recommendation = (
        s.metadata.get(Recommendation, recommendation_id)
        if recommendation_id
        else s.metadata.latest(Recommendation, model_id=model.id)
    )
    plan = recommendation.plan.get("training") if recommendation else None
    training = create_training(s, model, dataset, TrainingConfig(**(config or {})), plan)
    return train_model(training.id)
