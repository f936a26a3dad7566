"""Trace readers reproduce the data provider's figures and are right on hand-made traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sskai.errors import ConfigError
from sskai.traces.readers import (
    read_availability_folder,
    read_count_json,
)
from sskai.traces.shipped import SHIPPED_TRACES, V100_FOLDER, V100_PRICES
from tests.builders import write_zone


def test_a_hand_checked_availability_trace(tmp_path: Path) -> None:
    write_zone(tmp_path, "zone-a", [1, 1, 0, 0, 1, 1, 1, 0, 1], gap_seconds=60)
    (tmp_path / "prices.json").write_text(json.dumps({"zone-a": [1.0] * 9}))
    [trace] = read_availability_folder(tmp_path, tmp_path / "prices.json").values()
    # Eight one-minute intervals; up in intervals 0,1,4,5,6 -> 5 of 8; two up-to-down drops in 5 up-minutes.
    assert trace.up_share() == pytest.approx(5 / 8)
    assert trace.losses_per_up_hour() == pytest.approx(2 / (5 / 60))
    assert trace.mean_up_run_hours() == pytest.approx((2 + 3) / 2 / 60)


def test_the_shipped_traces_match_the_figures_their_provider_published() -> None:
    zones = read_availability_folder(V100_FOLDER, V100_PRICES)
    published = {  # data/PROVENANCE.md: available share, losses per up-hour, mean up-run hours
        "us-east-1a_v100_1": (0.17, 1.39, 0.7),
        "us-east-1f_v100_1": (0.59, 0.44, 2.3),
        "us-east-2a_v100_1": (0.76, 0.18, 5.7),
        "us-west-2b_v100_1": (0.91, 0.095, 10.4),
    }
    for name, (share, losses, run) in published.items():
        trace = zones[name]
        assert round(trace.up_share(), 2) == share
        assert trace.losses_per_up_hour() == pytest.approx(losses, abs=0.006)  # published to two figures
        assert round(trace.mean_up_run_hours(), 1) == run
        assert len(trace.spot_usd_per_hour) == len(trace.available) == 20_158
    assert round(SHIPPED_TRACES["p3-cluster"].load().removals_per_instance_hour(), 2) == 0.61
    assert round(SHIPPED_TRACES["g4dn-cluster"].load().removals_per_instance_hour(), 2) == 0.55
    assert round(SHIPPED_TRACES["gcp-a100-group"].load().losses_per_up_hour(), 2) == 0.10


def test_count_json_and_format_errors(tmp_path: Path) -> None:
    (tmp_path / "pool.json").write_text(json.dumps({"metadata": {"gap_seconds": 600}, "data": [4, 4, 2, 0, 4]}))
    trace = read_count_json(tmp_path / "pool.json")
    assert trace.capacity == 4 and trace.up_share() == pytest.approx(3 / 4)
    assert trace.losses_per_up_hour() == pytest.approx(4 / ((4 + 4 + 2) * 600 / 3600))
    (tmp_path / "bad.json").write_text(json.dumps({"data": [1]}))
    with pytest.raises(ConfigError, match="gap_seconds"):
        read_count_json(tmp_path / "bad.json")
    (tmp_path / "x.csv").write_text("when,up\n1,1\n")
    with pytest.raises(ConfigError, match="expected the columns date,availability"):
        read_availability_folder(tmp_path)
