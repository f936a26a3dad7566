"""Recommend flow: plan serving and training for a model from its newest successful profile."""

from __future__ import annotations

from prefect import flow

from sskai.plans import Workload
from tasks.lookup import find_model, latest_profile
from tasks.recommend import recommend_plan


@flow(name="recommend")
def recommend_flow(model_name: str, version: int | None = None, workload: Workload = Workload()) -> str:
    model_id = find_model(model_name, version)
    profile_id = latest_profile(model_id)
    return recommend_plan(profile_id, workload)
