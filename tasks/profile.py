"""Profile task: measure a stored model in a separate process; publish the numbers."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from sskai.profiling.service import profile_stored_model, stored_metrics
from sskai.reports import profile_section, to_markdown
from sskai.store.metadata import Model
from tasks.common import retry_transient, stores


@task(retries=1, retry_condition_fn=retry_transient)
def profile_model(model_id: str, timeout_seconds: float = 300.0) -> str:
    s = stores()
    model = s.metadata.get(Model, model_id)
    record = profile_stored_model(s, model, timeout_seconds)
    metrics = stored_metrics(record)
    section = profile_section(metrics, f"Profile of {model.name} v{model.version}")
    create_markdown_artifact(to_markdown([section]), key="profile", description=section.title)
    get_run_logger().info("profiled %s: %s", model.name, metrics)
    return record.id
