"""Retrain flow: train on a dataset's newest version and promote the result only where it does better.

Scheduled (nightly) and triggered by the event the upload flow emits when a dataset version lands.
"""

from __future__ import annotations

from prefect import flow

from sskai.training.config import TrainingConfig
from sskai.training.promotion import PromotionVerdict
from tasks.retrain import endpoints_to_retrain, promote_if_better
from tasks.train import record_training, train_model


@flow(name="retrain")
def retrain_flow(
    dataset_name: str | None = None,
    endpoint_name: str | None = None,
    config: TrainingConfig = TrainingConfig(),
    min_improvement: float = 0.01,
) -> list[PromotionVerdict]:
    """For each endpoint serving a model trained on ``dataset_name`` (or only ``endpoint_name``; with no
    dataset named, each endpoint whose dataset has a newer version): train the model on the dataset's
    newest version, measure it and the serving weights on the same held-out split, and put it behind
    the endpoint only if its loss is lower by at least ``min_improvement`` (a fraction)."""
    verdicts = []
    for endpoint_id, model_id, dataset_id in endpoints_to_retrain(dataset_name, endpoint_name):
        training_id = train_model(record_training(model_id, dataset_id, config, None))
        verdicts.append(promote_if_better(endpoint_id, training_id, dataset_id, min_improvement))
    return verdicts
