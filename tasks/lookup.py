"""Store lookups the flows make, as tasks: each is visible in the run and retried on transient errors."""

from __future__ import annotations

from prefect import task

from sskai.errors import NotFound
from sskai.kinds import Status
from sskai.plans import Recommendation, ServingPlan, TrainingPlan
from sskai.store.metadata import Dataset, Model, Profile, RecommendationRecord, Training
from tasks.common import LOOKUP_RETRIES, stores


@task(**LOOKUP_RETRIES)
def find_model(name: str, version: int | None = None) -> str:
    """The id of the named model at ``version``, or of its newest version."""
    s = stores()
    return s.metadata.find_version(Model, s.settings.owner, name, version).id


@task(**LOOKUP_RETRIES)
def find_dataset(name: str, version: int | None = None) -> str:
    s = stores()
    return s.metadata.find_version(Dataset, s.settings.owner, name, version).id


@task(**LOOKUP_RETRIES)
def trained_model(training_id: str) -> str:
    """The id of the model a training trained."""
    return stores().metadata.get(Training, training_id).model_id


@task(**LOOKUP_RETRIES)
def latest_profile(model_id: str) -> str:
    s = stores()
    profile = s.metadata.latest(Profile, model_id=model_id, status=Status.SUCCEEDED)
    if profile is None:
        model = s.metadata.get(Model, model_id)
        raise NotFound(f"model {model.name} v{model.version} has no successful profile; run the profile flow first")
    return profile.id


def _recommendation(model_id: str, recommendation_id: str | None) -> Recommendation | None:
    s = stores()
    if recommendation_id:
        record = s.metadata.get(RecommendationRecord, recommendation_id)
    else:
        record = s.metadata.latest(RecommendationRecord, model_id=model_id)
    return None if record is None else Recommendation.from_stored(record.plan, f"recommendation {record.id}")


@task(**LOOKUP_RETRIES)
def training_plan(model_id: str, recommendation_id: str | None = None) -> TrainingPlan | None:
    """Where the (given or newest) recommendation says to train; None without one."""
    recommendation = _recommendation(model_id, recommendation_id)
    return recommendation.training if recommendation else None


@task(**LOOKUP_RETRIES)
def serving_plan(model_id: str) -> ServingPlan | None:
    """Where the newest recommendation says to serve; None without one."""
    recommendation = _recommendation(model_id, None)
    return recommendation.serving if recommendation else None
