"""Recommend task: plan serving and training from the profile and the current catalog; store and publish why."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from sskai.catalog.versions import current_catalog
from sskai.kinds import Status
from sskai.plans import Workload
from sskai.profiling.service import stored_metrics
from sskai.recommend import recommend
from sskai.reports import recommendation_sections, to_markdown
from sskai.store.metadata import Profile, RecommendationRecord
from tasks.common import stores


@task
def recommend_plan(profile_id: str, workload: Workload = Workload()) -> str:
    s = stores()
    profile = s.metadata.get(Profile, profile_id)
    result = recommend(stored_metrics(profile), current_catalog(s), workload)
    record = s.metadata.add(
        RecommendationRecord(
            owner=profile.owner,
            model_id=profile.model_id,
            profile_id=profile.id,
            plan=result.stored(),
            status=Status.READY,
        )
    )
    create_markdown_artifact(
        to_markdown(recommendation_sections(result)),
        key="recommendation",
        description="Where to serve and train, and why",
    )
    return record.id
