"""Retrain tasks: which endpoints a retrain concerns, and the verdict on each candidate."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from sskai.errors import NotFound
from sskai.kinds import Status
from sskai.store.metadata import Dataset, Endpoint, Training
from sskai.training.promotion import PromotionVerdict, judge_and_promote
from tasks.common import LOOKUP_RETRIES, retry_transient, stores


@task(**LOOKUP_RETRIES)
def endpoints_to_retrain(dataset_name: str | None, endpoint_name: str | None = None) -> list[tuple[str, str, str]]:
    """(endpoint id, model id, newest dataset id) of each ready endpoint to retrain.

    Named dataset: every endpoint serving a training on any version of it. No name (the nightly
    schedule): every endpoint whose training's dataset has a newer version since.
    """
    s = stores()
    found = []
    for endpoint in s.metadata.list(Endpoint, owner=s.settings.owner, status=Status.READY):
        if (endpoint_name and endpoint.name != endpoint_name) or not endpoint.training_id:
            continue
        used = s.metadata.get(Dataset, s.metadata.get(Training, endpoint.training_id).dataset_id)
        if dataset_name and used.name != dataset_name:
            continue
        newest = s.metadata.find_version(Dataset, s.settings.owner, used.name)
        if dataset_name or newest.version != used.version:
            found.append((endpoint.id, endpoint.model_id, newest.id))
    if endpoint_name and not found:
        raise NotFound(f"ready endpoint {endpoint_name!r} has nothing to retrain on (dataset {dataset_name!r})")
    return found


@task(retries=1, retry_condition_fn=retry_transient)
def promote_if_better(endpoint_id: str, training_id: str, dataset_id: str, min_improvement: float) -> PromotionVerdict:
    s = stores()
    endpoint = s.metadata.get(Endpoint, endpoint_id)
    verdict = judge_and_promote(
        s, endpoint, s.metadata.get(Training, training_id), s.metadata.get(Dataset, dataset_id), min_improvement
    )
    create_markdown_artifact(
        f"**{endpoint.name}**: {'promoted' if verdict.promoted else 'kept the serving weights'}: {verdict.reason}",
        key="retrain-verdict",
        description="Candidate against the serving weights on the same held-out split",
    )
    return PromotionVerdict.of(endpoint, verdict)
