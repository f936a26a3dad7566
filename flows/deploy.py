"""Deploy flow: serve a model (with a training's weights) where its recommendation said."""

from __future__ import annotations

from prefect import flow

from sskai.store.metadata import Model, Recommendation, Training
from tasks.common import stores
from tasks.deploy import deploy_model


@flow(name="deploy")
def deploy_flow(
    endpoint_name: str, model_name: str, training_id: str | None = None, model_version: int | None = None
) -> dict[str, str]:
    s = stores()
    if training_id:
        model = s.metadata.get(Model, s.metadata.get(Training, training_id).model_id)
    else:
        model = s.metadata.find_version(Model, s.settings.owner, model_name, model_version)
    recommendation = s.metadata.latest(Recommendation, model_id=model.id)
    plan = recommendation.plan.get("serving") if recommendation else None
    return deploy_model(endpoint_name, model.id, training_id, plan)
