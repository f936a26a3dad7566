"""Elections: SSKAI's Algorithm 1 on a hand-checked example, and sskai's expected-cost ranking."""

from __future__ import annotations

import pytest

from sskai.catalog import load_catalog
from sskai.election import Algorithm1Election, Job, elect
from tests.builders import catalog_of, offer


def test_algorithm1_matches_the_report_on_a_hand_checked_example() -> None:
    # Three 16 GiB-or-more instances and one 24 GiB instance.
    catalog = catalog_of(
        offer("g4dn.xlarge", "NVIDIA T4 Tensor Core", 1, 16, 0.20),  # bench 52.1
        offer("p3.2xlarge", "NVIDIA Tesla V100", 1, 16, 1.00),  # bench 100
        offer("g5.xlarge", "NVIDIA A10G", 1, 24, 0.35),  # bench 128.5
    )
    result = elect("algorithm1", Job(name="any"), catalog)
    assert sorted(result.tiers) == [16.0, 24.0]
    scores = {c.instance_type: c.score for c in result.tiers[16.0]}
    # Group >= 16 GiB: prices 0.2, 1.0, 0.35 -> price scores 1, 0, 0.8125;
    # benchmarks 52.1, 100, 128.5 -> (b - 52.1) / 76.4 = 0, 0.62696, 1.
    assert scores["g4dn.xlarge"] == pytest.approx(0.8 * 1.0 + 0.2 * 0.0)
    assert scores["p3.2xlarge"] == pytest.approx(0.8 * 0.0 + 0.2 * (100 - 52.1) / 76.4)
    assert scores["g5.xlarge"] == pytest.approx(0.8 * 0.8125 + 0.2 * 1.0)
    assert [c.instance_type for c in result.tiers[16.0]] == ["g5.xlarge", "g4dn.xlarge", "p3.2xlarge"]
    [only] = result.tiers[24.0]
    assert only.instance_type == "g5.xlarge" and only.score == pytest.approx(1.0)  # equal values normalise to 1
    assert (
        Algorithm1Election.placement(result, Job(name="x", min_total_accelerator_memory_gib=20)).instance_type
        == "g5.xlarge"
    )


def test_algorithm1_keeps_five_per_group_from_groups_in_the_data() -> None:
    result = elect("algorithm1", Job(name="all"), load_catalog())
    assert all(1 <= len(top) <= 5 for top in result.tiers.values())
    memories = {
        o.accelerator_memory_gib_total for o in load_catalog().spot_offers() if o.accelerator.startswith("NVIDIA")
    }
    assert set(result.tiers) <= memories and 16.0 in result.tiers and 80.0 in result.tiers
    for tier, top in result.tiers.items():
        assert all(load_catalog().offer(c.instance_type, c.region).accelerator_memory_gib_total >= tier for c in top)
        assert [c.score for c in top] == sorted((c.score for c in top), reverse=True)
