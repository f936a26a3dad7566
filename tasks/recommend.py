"""Recommend task: plan serving and training from the profile and the catalog; store and publish the why."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from sskai.catalog import load_catalog
from sskai.recommend import Recommendation, Workload, recommend
from sskai.store.metadata import Profile, Status
from sskai.store.metadata import Recommendation as RecommendationRecord
from tasks.common import stores


def recommendation_markdown(result: Recommendation) -> str:
    lines = [f"## Serving: {result.serving.target}", f"Estimated ${result.serving.usd_per_hour:.5f}/h", ""]
    lines += [f"- {reason}" for reason in result.serving.reasons]
    if result.training is not None:
        t = result.training
        lines += [
            "",
            f"## Training: {t.instance_type} in {t.region}",
            f"Estimated {t.estimated_hours * 60:.1f} min, ${t.estimated_spot_usd:.5f} spot",
            "",
        ]
        lines += [f"- {reason}" for reason in t.reasons]
    return "\n".join(lines)


@task
def recommend_plan(profile_id: str, workload: dict | None = None) -> str:
    s = stores()
    profile = s.metadata.get(Profile, profile_id)
    result = recommend(profile.metrics, load_catalog(), Workload(**(workload or {})))
    record = s.metadata.add(
        RecommendationRecord(
            owner=profile.owner,
            model_id=profile.model_id,
            profile_id=profile.id,
            plan=result.as_dict(),
            status=Status.READY,
        )
    )
    create_markdown_artifact(
        recommendation_markdown(result), key="recommendation", description="Where to serve and train, and why"
    )
    return record.id
