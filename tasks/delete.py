"""Delete task: the bytes go and the record is marked deleted; an InUse refusal is never retried."""

from __future__ import annotations

from prefect import task

from sskai.bundles.deletion import delete_version
from sskai.store.metadata import Dataset, Model
from tasks.common import retry_transient, stores


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient)
def delete_stored_version(kind: str, name: str, version: int) -> str:
    record = delete_version(stores(), Model if kind == "model" else Dataset, name, version)
    return record.id
