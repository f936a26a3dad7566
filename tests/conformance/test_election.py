"""The Election contract, for every registered election: ranked, explained, eligible, and never raising."""

from __future__ import annotations

import math

import pytest

from sskai.catalog.catalog import load_catalog
from sskai.election import Election, Job, elect
from sskai.election.eligibility import eligible

JOB = Job(name="contract", work_flops=1e18, min_accelerator_memory_gib=16.0, regions=("us-east-1", "us-west-2"))


@pytest.fixture(params=Election.registry.names())
def election(request: pytest.FixtureRequest) -> str:
    return request.param


def test_candidates_are_eligible_ranked_best_first_and_explained(election: str) -> None:
    catalog = load_catalog()
    result = elect(election, JOB, catalog)
    assert result.election == election and result.considered == len(eligible(catalog, JOB)) > 0
    assert result.reasons, "an election says how it ranked"
    for tier, candidates in result.tiers.items():
        scores = [c.score for c in candidates]
        assert scores == sorted(scores, reverse=True), f"tier {tier} is not best first"
        for candidate in candidates:
            offer = catalog.offer(candidate.instance_type, candidate.region)
            assert offer.accelerator_memory_gib_each >= JOB.min_accelerator_memory_gib
            assert candidate.region in JOB.regions and candidate.numbers and math.isfinite(candidate.score)
    assert result.best is not None and result.best.score == max(c.score for cs in result.tiers.values() for c in cs)
    assert result.as_dict()["election"] == election


def test_a_job_nothing_holds_is_an_empty_answer_not_an_error(election: str) -> None:
    result = elect(election, Job(name="huge", min_accelerator_memory_gib=10_000.0), load_catalog())
    assert result.considered == 0 and result.best is None and not any(result.tiers.values())
