"""Pipeline flow: upload -> profile -> recommend -> train -> deploy -> monitor, as one run.

Runs on a shipped example (``example="mlp"``) or on the caller's own zips. Ends with a live
endpoint that has answered a request, and the cost summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.deploy import deploy_flow
from flows.monitor import monitor_flow
from flows.profile import profile_flow
from flows.recommend import recommend_flow
from flows.train import train_flow
from flows.upload import upload_flow
from sskai.examples import EXAMPLES, build_example
from sskai.serving.client import predict
from sskai.store.metadata import Model, Training
from tasks.common import stores


@task
def smoke_request(url: str, api_key: str, inputs: list) -> list:
    """One real request through the endpoint, so the run proves it serves."""
    return predict(url, api_key, np.asarray(inputs)).tolist()


@flow(name="pipeline")
def pipeline_flow(
    example: str | None = "mlp",
    model_zip: str | None = None,
    dataset_zip: str | None = None,
    name: str | None = None,
    train_config: dict[str, Any] | None = None,
    workload: dict[str, Any] | None = None,
    sample_inputs: list | None = None,
) -> dict[str, Any]:
    s = stores()
    if model_zip and dataset_zip:
        name = name or Path(model_zip).stem.replace("-model", "")[:20]
        config = train_config or {}
    elif example in EXAMPLES:
        model_zip, dataset_zip = (str(p) for p in build_example(example, s.settings.home / "examples"))
        name = name or example
        config = {**EXAMPLES[example].train_config, **(train_config or {})}
        sample_inputs = sample_inputs or EXAMPLES[example].sample_request().tolist()
    else:
        raise ValueError(f"give model_zip and dataset_zip, or an example from {sorted(EXAMPLES)}")

    upload_flow(model_name=name, model_zip=model_zip, dataset_name=name, dataset_zip=dataset_zip)
    profile_flow(name)
    recommendation_id = recommend_flow(name, workload=workload)
    training_id = train_flow(name, name, config=config, recommendation_id=recommendation_id)
    endpoint = deploy_flow(name, name, training_id=training_id)
    outputs = smoke_request(endpoint["url"], endpoint["api_key"], sample_inputs) if sample_inputs else None
    monitoring = monitor_flow()

    training = s.metadata.get(Training, training_id)
    model = s.metadata.get(Model, training.model_id)
    summary = {
        "model": f"{model.name} v{model.version}",
        "training_id": training_id,
        "training_metrics": training.metrics,
        "endpoint": endpoint,
        "sample_outputs": outputs,
        "costs": monitoring["costs"],
    }
    create_markdown_artifact(_summary_markdown(summary), key="pipeline-summary", description="What the pipeline did")
    get_run_logger().info("pipeline finished: endpoint %s", endpoint["url"])
    return summary


def _summary_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# {summary['model']}",
        f"Endpoint: {summary['endpoint']['url']}",
        "",
        "| resource | paid (USD) | instead (USD) | saving (USD) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {row['kind']} | {row['paid_usd']:.6f} | {row['baseline_usd']:.6f} | {row['saving_usd']:.6f} |"
        for row in summary["costs"]
    ]
    return "\n".join(lines)
