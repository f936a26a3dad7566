"""Replay policies on small hand-made traces where the right answer is known, the optimum, the benchmark's formats."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from benchmarks import trace_replay
from sskai.catalog import load_catalog
from sskai.replay import IDLE, ONDEMAND, Pool, ReplayJob, ReplayPolicy, World, optimal_cost, replay
from sskai.replay.engine import Observation
from sskai.replay.sources import shipped_worlds

TICK = 360.0  # 0.1 h
ONDEMAND_PRICE = 5.0


def world(*pools: tuple[str, str, list[int], float], ticks: int = 40) -> World:
    built = []
    for name, region, counts, price in pools:
        padded = (counts + [counts[-1]] * ticks)[:ticks]
        built.append(Pool(name, region, np.array(padded), np.full(ticks, price)))
    return World("hand-made", TICK, tuple(built), ONDEMAND_PRICE, "us-east-1", "p3.2xlarge")


def run(name: str, w: World, job: ReplayJob, start: int = 0):
    return replay(ReplayPolicy.registry.get(name)(), w, job, start, record=True)


def test_eager_failover_staying_put_and_on_demand_by_hand() -> None:
    w = world(("us-east-1a", "us-east-1", [1, 1, 1, 0], 1.0), ("us-west-2a", "us-west-2", [1], 2.0), ticks=20)
    job = ReplayJob(work_hours=0.6, deadline_hours=2.0, restart_seconds=TICK)  # 6 ticks of work, 1 of restart
    cheapest = run("cheapest_fit", w, job)
    # A: launch (overhead) + 2 ticks of work; preempted at t3; fails over to the other region: launch + 4 ticks.
    assert cheapest.locations == (0, 0, 0, 1, 1, 1, 1, 1)
    assert cheapest.cost_usd == pytest.approx(3 * 1.0 * 0.1 + 5 * 2.0 * 0.1)
    assert (cheapest.preemptions, cheapest.launches, cheapest.deadline_met) == (1, 2, True)
    # SSKAI's Algorithm 1 waits for its pool, which never returns: the rest runs on demand after the trace.
    stay = run("baseline", w, job)
    assert stay.ran_past_trace and not stay.deadline_met
    assert stay.cost_usd == pytest.approx(0.3 + (4 + 1) * ONDEMAND_PRICE * 0.1)
    assert run("on_demand", w, job).cost_usd == pytest.approx(7 * ONDEMAND_PRICE * 0.1)
    assert optimal_cost(w, job, 0) == pytest.approx(1.3)  # B from the start would be 1.4
    assert run("sskai", w, job).cost_usd == pytest.approx(1.3)


def test_sskai_waits_for_the_pool_next_to_the_data_when_the_deadline_allows() -> None:
    near = ("us-east-1a", "us-east-1", [0, 0, 0, 0, 0, 1], 1.0)
    far = ("us-west-2a", "us-west-2", [1], 1.0)
    w = world(near, far)
    job = ReplayJob(work_hours=1.0, deadline_hours=4.0, restart_seconds=TICK, data_gb=100.0)
    hopper = run("cheapest_fit", w, job)
    assert hopper.transfer_usd == pytest.approx(2.0) and hopper.cost_usd == pytest.approx(2.0 + 11 * 0.1)
    patient = run("sskai", w, job)
    assert patient.locations[:5] == (IDLE,) * 5 and set(patient.locations[5:]) == {0}
    assert patient.cost_usd == pytest.approx(1.1) and patient.deadline_met
    assert optimal_cost(w, job, 0) == pytest.approx(1.1)


def test_a_tight_deadline_goes_on_demand_where_waiting_would_miss_it() -> None:
    w = world(("us-east-1a", "us-east-1", [0] * 8 + [1], 1.0))
    job = ReplayJob(work_hours=1.0, deadline_hours=1.4, restart_seconds=TICK)
    late = run("cheapest_fit", w, job)
    assert late.locations[:8] == (IDLE,) * 8 and not late.deadline_met and late.hours == pytest.approx(1.9)
    for name in ("sskai", "uniform_progress"):
        safe = run(name, w, job)
        assert safe.deadline_met and ONDEMAND in safe.locations and 0 not in safe.locations, name
        assert safe.cost_usd == pytest.approx(11 * ONDEMAND_PRICE * 0.1)
    assert set(run("sskai", w, job).locations) == {ONDEMAND}  # at once: no wait could pay off
    # Knowing spot returns at t8: idle 2 ticks, on demand t2-t7 (restart + 5 ticks of work), then spot
    # t8-t13 (restart + the last 5), done exactly at the deadline: 6 x 0.5 + 6 x 0.1.
    assert optimal_cost(w, job, 0) == pytest.approx(3.6)
    assert optimal_cost(w, ReplayJob(1.0, 1.0, restart_seconds=TICK), 0) == float("inf")  # no time for the restart


def test_uniform_progress_uses_on_demand_only_while_behind_its_line() -> None:
    # Spot for 4 ticks, then gone for 10, then back; deadline 2x the work.
    w = world(("us-east-1a", "us-east-1", [1] * 4 + [0] * 10 + [1], 1.0))
    job = ReplayJob(work_hours=1.0, deadline_hours=2.0, restart_seconds=TICK)
    path = run("uniform_progress", w, job).locations
    assert path[:4] == (0,) * 4  # 3 ticks of progress by t4, ahead of the line (10 x 4 / 20 = 2)
    assert path[4:6] == (IDLE, IDLE)  # ahead: wait
    assert ONDEMAND in path[6:14]  # behind the line while spot is gone: on demand


def test_sskai_avoids_a_pool_that_has_been_flapping() -> None:
    history = 200
    flapping = [1, 1, 1, 0, 0, 0] * (history // 6) + [1] * 40
    steady = [1] * (history + 40)
    w = world(("us-east-1a", "us-east-1", flapping, 1.0), ("us-east-1c", "us-east-1", steady, 1.0), ticks=len(steady))
    job = ReplayJob(work_hours=1.0, deadline_hours=2.0, restart_seconds=TICK)
    start = len(flapping) - 40
    assert run("cheapest_fit", w, job, start).locations[0] == 0  # the tie goes to the first pool
    assert run("sskai", w, job, start).locations[0] == 1


class Peek(ReplayPolicy, name="peek-for-tests"):
    """Records what it was shown: the past must end at the present and be read-only."""

    def decide(self, seen: Observation) -> int:
        past = seen.past.capacity()
        assert past.shape[1] == self.ctx.start_tick + seen.tick + 1
        assert not past.flags.writeable
        return ONDEMAND


def test_policies_see_the_past_and_never_the_future() -> None:
    w = world(("us-east-1a", "us-east-1", [1, 0] * 20, 1.0))
    assert replay(Peek(), w, ReplayJob(1.0, 2.0, restart_seconds=TICK), 5).deadline_met


def test_no_policy_beats_the_optimum_on_the_shipped_trace() -> None:
    v100 = shipped_worlds(load_catalog())[0]
    job = ReplayJob(work_hours=6.0, deadline_hours=8.0, data_gb=50.0)
    for start in random.Random(7).sample(range(3200, v100.ticks - 400), 4):
        best = optimal_cost(v100, job, start)
        for name in trace_replay.POLICIES:
            outcome = replay(ReplayPolicy.registry.get(name)(), v100, job, start)
            if outcome.deadline_met:
                assert outcome.cost_usd >= best - 1e-9, (name, start)


def test_the_benchmark_replays_each_trace_format(tmp_path: Path) -> None:
    rng = random.Random(3)
    counts = [max(0, min(8, 6 + rng.choice([-1, 0, 0, 1]) * (i % 7 == 0))) for i in range(900)]
    (tmp_path / "counts.json").write_text(json.dumps({"metadata": {"gap_seconds": 60}, "data": counts}))
    folder = tmp_path / "zones"
    folder.mkdir()
    start = datetime(2023, 2, 15, 22, 0, tzinfo=UTC)
    for zone in ("us-east-1a_v100_1", "us-west-2a_v100_1"):
        rows = [
            f"{start + timedelta(seconds=195 * i):%Y-%m-%d %H:%M:%S},{rng.choice([0, 1, 1, 1])}" for i in range(300)
        ]
        (folder / f"{zone}.csv").write_text("date,availability\n" + "\n".join(rows) + "\n")
    events = tmp_path / "events.csv"
    events.write_text("".join(f"{i * 60_000},add,n{i}\n" for i in range(6)) + "3600000,remove,n1\n50000000,add,n9\n")
    for trace in (tmp_path / "counts.json", folder, events):
        out = tmp_path / f"{trace.stem}.json"
        results = trace_replay.main(
            [
                "--trace",
                str(trace),
                "--spot-price",
                "0.9",
                "--on-demand-price",
                "3.06",
                "--starts",
                "2",
                "--out",
                str(out),
            ]
        )
        assert json.loads(out.read_text())["overall"].keys() == results["overall"].keys()
        assert set(results["overall"]) == {*trace_replay.POLICIES, "optimum"}
        for row in results["rows"]:
            for outcome in row["policies"].values():
                if outcome["deadline_met"]:
                    assert outcome["cost_usd"] >= row["optimum_usd"] - 1e-9
    with pytest.raises(SystemExit):
        trace_replay.main(["--trace", str(events)])  # no on-demand price
