"""Upload tasks: store a validated bundle and say what was stored."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.events import emit_event

from sskai.bundles import upload as upload
from sskai.bundles.spec import InputDeclaration
from sskai.store.metadata import utcnow
from tasks.common import retry_transient, stores

DATASET_UPLOADED = "sskai.dataset.uploaded"  # the retrain deployment's trigger listens for it


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient)
def upload_model(name: str, archive: str, declared: InputDeclaration | None = None) -> str:
    s = stores()
    record = upload.upload_model(s, name, Path(archive), declared)
    get_run_logger().info(upload.upload_note(s, record))
    return record.id


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient)
def upload_dataset(name: str, archive: str) -> str:
    s = stores()
    started = utcnow()
    record = upload.upload_dataset(s, name, Path(archive))
    get_run_logger().info(upload.upload_note(s, record))
    if record.created_at >= started:  # a new version, not content stored before: what retraining waits for
        emit_event(
            event=DATASET_UPLOADED,
            resource={
                "prefect.resource.id": f"sskai.dataset.{record.owner}.{record.name}",
                "prefect.resource.name": record.name,
                "sskai.dataset.version": str(record.version),
            },
            payload={"dataset_id": record.id, "version": record.version},
        )
    return record.id
