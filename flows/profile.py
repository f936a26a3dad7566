"""Profile flow: measure the newest (or a given) version of a stored model."""

from __future__ import annotations

from prefect import flow

from tasks.lookup import find_model
from tasks.profile import profile_model


@flow(name="profile")
def profile_flow(model_name: str, version: int | None = None, timeout_seconds: float = 300.0) -> str:
    model_id = find_model(model_name, version)
    return profile_model(model_id, timeout_seconds)
