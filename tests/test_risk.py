"""The risk model on hand-checked traces, its held-out calibration on the shipped ones, and transfer prices."""

from __future__ import annotations

from pathlib import Path

import pytest

from sskai.catalog import load_catalog
from sskai.catalog.transfer import load_transfer_pricing
from sskai.risk.calibration import hold_out_each_zone
from sskai.risk.model import advisor_rate_per_hour, calibrate
from sskai.risk.observe import observe_availability, zone_region
from sskai.risk.shipped import buckets_of, v100_observations
from sskai.traces import read_availability_folder
from tests.test_traces import write_zone


def test_one_pool_by_hand(tmp_path: Path) -> None:
    # 1-minute samples: up 2, down 2, up 3, down 1 (the last sample only closes the interval).
    write_zone(tmp_path, "us-east-1a_v100_1", [1, 1, 0, 0, 1, 1, 1, 0, 1], gap_seconds=60)
    trace = read_availability_folder(tmp_path)["us-east-1a_v100_1"]
    seen = observe_availability(trace, "p3.2xlarge", zone_region("us-east-1a"))
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


def test_holding_each_zone_out_reports_prediction_error() -> None:
    observations = v100_observations()
    report = hold_out_each_zone(observations, buckets_of(load_catalog()))
    assert len(report.zones) == 9
    by_zone = {z.zone: z for z in report.zones}
    east_1a = by_zone["us-east-1a_v100_1"]
    assert east_1a.observed_hazard == pytest.approx(1.39, abs=0.01)
    # Its region-mates, pooled: 1c, 1d and 1f.
    mates = [o for o in observations if o.region == "us-east-1" and o.pool != "us-east-1a_v100_1"]
    assert east_1a.region_hazard == pytest.approx(sum(o.losses for o in mates) / sum(o.held_hours for o in mates))
    errors = report.mean_absolute_error()
    # Region-mates predict better than the bucket alone, and both beat the Advisor bucket read literally.
    assert errors["region_hazard"] < errors["bucket_hazard"] < errors["advisor_literal_hazard"]
    assert errors["region_availability"] < errors["bucket_availability"]


def test_transfer_arithmetic() -> None:
    prices = load_transfer_pricing()
    assert prices.usd(100, "us-east-1", "us-west-2") == pytest.approx(2.0)
    assert prices.usd(100, "us-east-1", "us-east-2") == pytest.approx(1.0)  # the one cheaper pair
    assert prices.usd(100, "us-east-2", "us-east-1") == pytest.approx(1.0)
    assert prices.usd(100, "ap-northeast-1", "us-east-1") == pytest.approx(9.0)  # billed by the sender
    assert prices.usd(100, "eu-west-1", "eu-west-1") == 0.0
    assert prices.usd(100, None, "us-east-1") == 0.0  # data from off AWS comes in free
    assert prices.usd(100, "us-east-1", None) == pytest.approx(9.0)  # out to the internet
    assert prices.between_zones_usd(100) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="cannot transfer -1 GB"):
        prices.usd(-1, "us-east-1", "us-west-2")
