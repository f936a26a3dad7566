"""Pipeline flow: upload -> profile -> recommend -> train -> deploy -> monitor, as one run.

Runs on a shipped example (``example="mlp"``) or on the caller's own zips. Ends with a live
endpoint that has answered a request, and the cost summary.
"""

from __future__ import annotations

from prefect import flow

from flows.deploy import deploy_flow
from flows.monitor import monitor_flow
from flows.profile import profile_flow
from flows.recommend import recommend_flow
from flows.train import train_flow
from flows.upload import upload_flow
from sskai.localcloud.simulation import SpotSimulation
from sskai.plans import Workload
from sskai.training.config import TrainingConfig
from tasks.pipeline import PipelineSummary, pipeline_inputs, smoke_request, summarize_pipeline


@flow(name="pipeline")
def pipeline_flow(
    example: str | None = "mlp",
    model_zip: str | None = None,
    dataset_zip: str | None = None,
    name: str | None = None,
    train_config: TrainingConfig | None = None,
    workload: Workload = Workload(),
    sample_inputs: list | None = None,
    spot_simulation: SpotSimulation | None = None,
) -> PipelineSummary:
    """``train_config`` defaults to the example's; ``sample_inputs`` to the example's sample request."""
    inputs = pipeline_inputs(example, model_zip, dataset_zip, name, train_config, sample_inputs)
    upload_flow(
        model_name=inputs.name, model_zip=inputs.model_zip, dataset_name=inputs.name, dataset_zip=inputs.dataset_zip
    )
    profile_flow(inputs.name)
    recommendation_id = recommend_flow(inputs.name, workload=workload)
    training_id = train_flow(
        inputs.name,
        inputs.name,
        config=inputs.train_config,
        recommendation_id=recommendation_id,
        spot_simulation=spot_simulation,
    )
    endpoint = deploy_flow(inputs.name, inputs.name, training_id=training_id)
    outputs = (
        smoke_request(endpoint.url, endpoint.api_key.get_secret_value(), inputs.sample_inputs)
        if inputs.sample_inputs
        else None
    )
    monitoring = monitor_flow()
    return summarize_pipeline(training_id, endpoint, outputs, monitoring.costs)
