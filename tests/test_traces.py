"""Trace readers reproduce the data provider's figures; schedules from each source are right on hand-made traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sskai.errors import ConfigError
from sskai.spot.schedule import (
    EC2_NOTICE_SECONDS,
    FixedSchedule,
    PreemptionSource,
    RateSchedule,
    SpotEvent,
    SpotEventKind,
    TraceSchedule,
)
from sskai.traces import (
    SHIPPED,
    read_availability_folder,
    read_cluster_events,
    read_count_json,
    read_gcloud_counts,
)

PREEMPT, CAPACITY = SpotEventKind.PREEMPT, SpotEventKind.CAPACITY


def write_zone(folder: Path, name: str, values: list[int], gap_seconds: int = 195) -> None:
    rows = [
        f"2023-02-15 22:{(i * gap_seconds) // 60:02d}:{(i * gap_seconds) % 60:02d},{v}" for i, v in enumerate(values)
    ]
    (folder / f"{name}.csv").write_text("date,availability\n" + "\n".join(rows) + "\n")


def test_a_hand_checked_availability_trace(tmp_path: Path) -> None:
    write_zone(tmp_path, "zone-a", [1, 1, 0, 0, 1, 1, 1, 0, 1], gap_seconds=60)
    (tmp_path / "prices.json").write_text(json.dumps({"zone-a": [1.0] * 9}))
    [trace] = read_availability_folder(tmp_path, tmp_path / "prices.json").values()
    # Eight one-minute intervals; up in intervals 0,1,4,5,6 -> 5 of 8; two up-to-down drops in 5 up-minutes.
    assert trace.up_share() == pytest.approx(5 / 8)
    assert trace.losses_per_up_hour() == pytest.approx(2 / (5 / 60))
    assert trace.mean_up_run_hours() == pytest.approx((2 + 3) / 2 / 60)
    events = TraceSchedule(trace, time_scale=60.0).events(("w0", "w1"), horizon_seconds=100)
    assert [(e.at_seconds, e.kind, e.slot) for e in events] == [
        (2.0, PREEMPT, "w0"), (2.0, PREEMPT, "w1"),
        (4.0, CAPACITY, "w0"), (4.0, CAPACITY, "w1"),
        (7.0, PREEMPT, "w0"), (7.0, PREEMPT, "w1"),
        (8.0, CAPACITY, "w0"), (8.0, CAPACITY, "w1"),
    ]  # fmt: skip
    assert events[0].notice_seconds == pytest.approx(EC2_NOTICE_SECONDS / 60.0)
    later = TraceSchedule(trace, start_seconds=5 * 60, time_scale=60.0).events(("w0",), horizon_seconds=2.5)
    assert [(e.at_seconds, e.kind) for e in later] == [(2.0, PREEMPT)]


def test_the_shipped_traces_match_the_figures_their_provider_published() -> None:
    zones = read_availability_folder(SHIPPED.v100_zones, SHIPPED.v100_prices)
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
    assert round(read_cluster_events(SHIPPED.p3_cluster).removals_per_instance_hour(), 2) == 0.61
    assert round(read_cluster_events(SHIPPED.g4dn_cluster).removals_per_instance_hour(), 2) == 0.55
    assert round(read_gcloud_counts(SHIPPED.gcp_a100).losses_per_up_hour(), 2) == 0.10


def test_a_cluster_trace_reclaims_and_returns_nodes(tmp_path: Path) -> None:
    path = tmp_path / "cluster.csv"
    path.write_text("0,add,a\n0,add,b\n0,add,c\n60000,remove,b\n90000,add,d\n120000,remove,a\n")
    trace = read_cluster_events(path)
    # a, b and c held 60 s, then a and c 30 s, then a, c and d 30 s: 330 instance-seconds, two removals.
    assert trace.removals_per_instance_hour() == pytest.approx(2 / (330 / 3600))
    events = TraceSchedule(trace, notice_seconds=0).events(("w0", "w1"), horizon_seconds=1000)
    # Nodes a and b map to the two slots; c and d never get one.
    assert [(e.at_seconds, e.kind, e.slot) for e in events] == [(60.0, PREEMPT, "w1"), (120.0, PREEMPT, "w0")]


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


def test_fixed_and_rate_schedules() -> None:
    fixed = FixedSchedule([SpotEvent(5.0, CAPACITY, "w0"), SpotEvent(1.0, PREEMPT, "w0", notice_seconds=2.0)])
    assert [e.kind for e in fixed.events(("w0",), 10)] == [PREEMPT, CAPACITY]
    with pytest.raises(ValueError, match=r"slots \['w0'\] the cluster does not have"):
        fixed.events(("w1",), 10)
    rates = RateSchedule(preemptions_per_hour=0.6, mean_wait_seconds=600, seed=1, time_scale=60.0)
    events = rates.events(("w0", "w1"), horizon_seconds=10_000)
    assert events == RateSchedule(0.6, 600, seed=1, time_scale=60.0).events(("w0", "w1"), 10_000)  # reproducible
    preemptions = [e for e in events if e.kind is PREEMPT]
    # 0.6 per node-hour, 60x faster: about 0.01 per simulated second per node.
    assert 150 < len(preemptions) < 260
    assert PreemptionSource.registry.get() is RateSchedule
    assert set(PreemptionSource.registry.names()) == {"fixed", "trace", "rates"}
