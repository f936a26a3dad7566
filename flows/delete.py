"""Delete flow: remove a stored model or dataset version, refused (not retried) while something uses it."""

from __future__ import annotations

from typing import Literal

from prefect import flow

from tasks.delete import delete_stored_version


@flow(name="delete")
def delete_flow(kind: Literal["model", "dataset"], name: str, version: int) -> str:
    """Delete ``kind`` ``name`` at ``version``; fails with the reason when a training or endpoint uses it."""
    return delete_stored_version(kind, name, version)
