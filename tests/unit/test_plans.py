"""Recommendations follow from the profile's numbers and the catalog's prices, and say why."""

from __future__ import annotations

import pytest

from sskai.catalog import load_catalog
from sskai.errors import StoredRecordInvalid
from sskai.plans import Recommendation, Workload
from sskai.recommend import recommend
from tests.builders import SMALL


def test_a_stored_recommendation_reads_back_and_an_old_one_fails_clearly() -> None:
    result = recommend(SMALL, load_catalog(), Workload())
    assert Recommendation.from_stored(result.stored(), "recommendation r1") == result
    old = {k: v for k, v in result.stored().items() if k != "schema_version"}
    with pytest.raises(StoredRecordInvalid, match=r"recommendation r1 was written before .* recommend again"):
        Recommendation.from_stored(old, "recommendation r1")
    broken = {**result.stored(), "serving": {"kind": "mainframe"}}
    with pytest.raises(StoredRecordInvalid, match=r"serving.kind: Input should be 'serverless' or 'spot'"):
        Recommendation.from_stored(broken, "recommendation r1")
