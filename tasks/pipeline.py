"""Pipeline tasks: resolve what to run on, prove the endpoint serves, and summarise the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from pydantic import BaseModel, ConfigDict

from sskai.costs.ledger import LedgerRow
from sskai.examples import EXAMPLES, build_example
from sskai.kinds import LedgerGrouping
from sskai.reports import Section, ledger_section, to_markdown
from sskai.serving.client import predict
from sskai.serving.service import DeployResult
from sskai.store.metadata import Model, Training
from sskai.training.config import TrainingConfig
from tasks.common import stores


class PipelineInputs(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    model_zip: str
    dataset_zip: str
    train_config: TrainingConfig
    sample_inputs: list | None


@task
def pipeline_inputs(
    example: str | None,
    model_zip: str | None,
    dataset_zip: str | None,
    name: str | None,
    train_config: TrainingConfig | None,
    sample_inputs: list | None,
) -> PipelineInputs:
    """The caller's zips, or a shipped example written into the state folder."""
    if model_zip and dataset_zip:
        return PipelineInputs(
            name=name or Path(model_zip).stem.replace("-model", "")[:20],
            model_zip=model_zip,
            dataset_zip=dataset_zip,
            train_config=train_config or TrainingConfig(),
            sample_inputs=sample_inputs,
        )
    if example not in EXAMPLES:
        raise ValueError(f"give model_zip and dataset_zip, or an example from {sorted(EXAMPLES)}")
    chosen = EXAMPLES[example]
    built_model, built_data = build_example(example, stores().settings.home / "examples")
    return PipelineInputs(
        name=name or example,
        model_zip=str(built_model),
        dataset_zip=str(built_data),
        train_config=train_config or chosen.train_config,
        sample_inputs=sample_inputs or chosen.sample_request().tolist(),
    )


@task
def smoke_request(url: str, api_key: str, inputs: list) -> list:
    """One real request through the endpoint, so the run proves it serves."""
    return predict(url, api_key, np.asarray(inputs)).tolist()


class PipelineSummary(BaseModel):
    """What a pipeline run produced: the model trained, its training, the live endpoint and what it all cost."""

    model_config = ConfigDict(frozen=True)

    model: str  # "mlp v1"
    training_id: str
    training_metrics: dict[str, Any]
    endpoint: DeployResult
    sample_outputs: list | None
    costs: list[LedgerRow]


@task
def summarize_pipeline(
    training_id: str, endpoint: DeployResult, outputs: list | None, costs: list[LedgerRow]
) -> PipelineSummary:
    s = stores()
    training = s.metadata.get(Training, training_id)
    model = s.metadata.get(Model, training.model_id)
    summary = PipelineSummary(
        model=f"{model.name} v{model.version}",
        training_id=training_id,
        training_metrics=training.metrics,
        endpoint=endpoint,
        sample_outputs=outputs,
        costs=costs,
    )
    sections = [
        Section(title=summary.model, lines=(f"endpoint: {endpoint.url}", f"training {training_id}")),
        ledger_section(costs, LedgerGrouping.KIND),
    ]
    create_markdown_artifact(to_markdown(sections), key="pipeline-summary", description="What the pipeline did")
    get_run_logger().info("pipeline finished: endpoint %s", endpoint.url)
    return summary
