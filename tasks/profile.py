"""Profile task: measure a stored model in a separate process; publish the numbers as a table."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from sskai.profiling.service import profile_stored_model
from sskai.store.metadata import Model
from tasks.common import retry_transient, stores


@task(retries=1, retry_condition_fn=retry_transient)
def profile_model(model_id: str, timeout_seconds: float = 300.0) -> str:
    s = stores()
    model = s.metadata.get(Model, model_id)
    record = profile_stored_model(s, model, timeout_seconds)
    create_table_artifact(
        [{"metric": k, "value": v} for k, v in record.metrics.items()],
        key="profile",
        description=f"Profile of {model.name} v{model.version}",
    )
    get_run_logger().info("profiled %s: %s", model.name, record.metrics)
    return record.id
