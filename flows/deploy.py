"""Deploy flow: serve a model (with a training's weights) where its recommendation said."""

from __future__ import annotations

from prefect import flow

from sskai.serving.service import DeployResult
from tasks.deploy import deploy_model
from tasks.lookup import find_model, serving_plan, trained_model


@flow(name="deploy")
def deploy_flow(
    endpoint_name: str,
    model_name: str,
    training_id: str | None = None,
    model_version: int | None = None,
    force: bool = False,
) -> DeployResult:
    """``force`` deploys even a model whose newest profile failed."""
    model_id = trained_model(training_id) if training_id else find_model(model_name, model_version)
    plan = serving_plan(model_id)
    return deploy_model(endpoint_name, model_id, training_id, plan, force)
