"""The risk model on hand-checked traces, its held-out calibration on the shipped ones, and transfer prices."""

from __future__ import annotations

import pytest

from sskai.catalog import load_catalog
from sskai.risk.calibration import hold_out_each_zone
from sskai.risk.shipped import buckets_of, v100_observations


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
