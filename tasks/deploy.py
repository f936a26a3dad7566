"""Deploy task: start an endpoint for a model and its trained weights."""

from __future__ import annotations

from prefect import get_run_logger, task

from sskai.plans import ServingPlan
from sskai.serving.service import DeployResult, deploy_endpoint
from sskai.store.metadata import Model, Training
from tasks.common import retry_transient, stores


@task(retries=1, retry_delay_seconds=2, retry_condition_fn=retry_transient)
def deploy_model(
    name: str, model_id: str, training_id: str | None, plan: ServingPlan | None, force: bool = False
) -> DeployResult:
    """The endpoint and its API key (a secret: it is not stored in clear anywhere else)."""
    s = stores()
    model = s.metadata.get(Model, model_id)
    training = s.metadata.get(Training, training_id) if training_id else None
    record, api_key = deploy_endpoint(s, name, model, training, plan, force=force)
    get_run_logger().info("endpoint %s serving at %s (%s)", name, record.url, record.kind)
    return DeployResult.of(record, api_key)
