"""Profile flow: measure the newest (or a given) version of a stored model."""

from __future__ import annotations

from prefect import flow

from sskai.store.metadata import Model
from tasks.common import stores
from tasks.profile import profile_model


@flow(name="profile")
def profile_flow(model_name: str, version: int | None = None, timeout_seconds: float = 300.0) -> str:
    s = stores()
    model = s.metadata.find_version(Model, s.settings.owner, model_name, version)
    return profile_model(model.id, timeout_seconds)
