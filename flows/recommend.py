"""Recommend flow: plan serving and training for a model from its newest successful profile."""

from __future__ import annotations

from prefect import flow

from sskai.errors import NotFound
from sskai.store.metadata import Model, Profile, Status
from tasks.common import stores
from tasks.recommend import recommend_plan


@flow(name="recommend")
def recommend_flow(model_name: str, version: int | None = None, workload: dict | None = None) -> str:
    s = stores()
    model = s.metadata.find_version(Model, s.settings.owner, model_name, version)
    profile = s.metadata.latest(Profile, model_id=model.id, status=Status.SUCCEEDED)
    if profile is None:
        raise NotFound(f"model {model_name} v{model.version} has no successful profile; run the profile flow first")
    return recommend_plan(profile.id, workload)
