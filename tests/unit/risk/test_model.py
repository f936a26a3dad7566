"""The risk model on hand-checked traces, its held-out calibration on the shipped ones, and transfer prices."""

from __future__ import annotations

from pathlib import Path

import pytest

from sskai.catalog.regions import region_of
from sskai.risk.model import advisor_rate_per_hour, calibrate
from sskai.risk.observe import observe_availability
from sskai.traces.readers import read_availability_folder
from tests.builders import write_zone


def test_one_pool_by_hand(tmp_path: Path) -> None:
    # 1-minute samples: up 2, down 2, up 3, down 1 (the last sample only closes the interval).
    write_zone(tmp_path, "us-east-1a_v100_1", [1, 1, 0, 0, 1, 1, 1, 0, 1], gap_seconds=60)
    trace = read_availability_folder(tmp_path)["us-east-1a_v100_1"]
    seen = observe_availability(trace, "p3.2xlarge", region_of("us-east-1a"))
    assert seen.region == "us-east-1"
    assert seen.held_hours == pytest.approx(5 / 60) and seen.losses == 2
    assert seen.hazard_per_hour == pytest.approx(24.0)  # 2 losses in 5 minutes held
    assert seen.availability == pytest.approx(5 / 8)
    assert (seen.down_spells, seen.mean_wait_hours) == (2, pytest.approx(1.5 / 60))

    model = calibrate([seen], {("p3.2xlarge", "us-east-1"): ">20%"})
    # The traced bucket's scale makes it reproduce the trace; other buckets keep the Advisor's ratios.
    assert model.bucket_hazard_per_hour[">20%"] == pytest.approx(24.0)
    ratio = advisor_rate_per_hour("<5%") / advisor_rate_per_hour(">20%")
    assert model.bucket_hazard_per_hour["<5%"] == pytest.approx(24.0 * ratio)
    traced = model.risk("p3.2xlarge", "us-east-1", ">20%")
    assert traced.source == "trace" and traced.hazard_per_hour == pytest.approx(24.0)
    assert traced.availability == pytest.approx(1 / (1 + 24.0 * 1.5 / 60))  # no combined region given
    untraced = model.risk("g4dn.xlarge", "us-west-2", "<5%")
    assert untraced.source == "advisor bucket" and untraced.mean_wait_hours == pytest.approx(1.5 / 60)
    assert untraced.availability == pytest.approx(1 / (1 + untraced.hazard_per_hour * 1.5 / 60))
    scored = model.risk("g4dn.xlarge", "us-west-2", "<5%", placement_score=7)
    assert scored.availability == pytest.approx(0.7)
    assert scored.mean_wait_hours == pytest.approx(0.3 / (0.7 * untraced.hazard_per_hour))
    assert model.risk("g4dn.xlarge", "us-west-2", None).hazard_per_hour == pytest.approx(24.0)  # unknown = worst
