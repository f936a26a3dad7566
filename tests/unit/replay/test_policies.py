"""Each spot policy, replayed on small hand-made traces where the right answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sskai.catalog import load_catalog
from sskai.replay import Pool, ReplayJob, World, optimal_cost, replay
from sskai.risk.shipped import shipped_risk_model
from sskai.spot.decisions import IDLE, ON_DEMAND, Decision, LaunchOnDemand, Where
from sskai.spot.policies import policy_named
from sskai.spot.policy import Observation, SpotPolicy

TICK = 360.0  # 0.1 h
ONDEMAND_PRICE = 5.0
A, B = Where(pool=0), Where(pool=1)


def world(*pools: tuple[str, str, list[int], float], ticks: int = 40) -> World:
    built = []
    for name, region, counts, price in pools:
        padded = (counts + [counts[-1]] * ticks)[:ticks]
        built.append(Pool(name, region, np.array(padded), np.full(ticks, price)))
    return World("hand-made", TICK, tuple(built), ONDEMAND_PRICE, "us-east-1", "p3.2xlarge")


def job(work_hours: float, deadline_hours: float, **more) -> ReplayJob:
    """A job checkpointed every tick (a preemption at a tick's start loses nothing) that restarts in one tick."""
    return ReplayJob(work_hours, deadline_hours, restart_seconds=TICK, checkpoint_interval_seconds=TICK, **more)


def run(name: str, w: World, spec: ReplayJob, start: int = 0):
    return replay(policy_named(name), w, spec, start, shipped_risk_model(load_catalog()), record=True)


def test_eager_failover_staying_put_and_on_demand_by_hand() -> None:
    w = world(("us-east-1a", "us-east-1", [1, 1, 1, 0], 1.0), ("us-west-2a", "us-west-2", [1], 2.0), ticks=20)
    spec = job(0.6, 2.0)  # 6 ticks of work, 1 of restart
    cheapest = run("cheapest_fit", w, spec)
    # A: launch (overhead) + 2 ticks of work; preempted at t3; fails over to the other region: launch + 4 ticks.
    assert cheapest.path == (A, A, A, B, B, B, B, B)
    assert cheapest.cost_usd == pytest.approx(3 * 1.0 * 0.1 + 5 * 2.0 * 0.1)
    assert (cheapest.preemptions, cheapest.launches, cheapest.moves, cheapest.deadline_met) == (1, 2, 0, True)
    # SSKAI's stay-in-the-pool waits for A, which never returns: at the deadline the engine finishes on demand.
    stay = run("baseline", w, spec)
    assert not stay.deadline_met and stay.after_deadline_usd == pytest.approx((1 + 4) * ONDEMAND_PRICE * 0.1)
    assert stay.cost_usd == pytest.approx(0.3 + stay.after_deadline_usd)
    assert run("on_demand", w, spec).cost_usd == pytest.approx(7 * ONDEMAND_PRICE * 0.1)
    assert optimal_cost(w, spec, 0) == pytest.approx(1.3)  # B from the start would be 1.4
    assert run("sskai", w, spec).cost_usd == pytest.approx(1.3)


def test_sskai_waits_for_the_pool_next_to_the_data_when_the_deadline_allows() -> None:
    near = ("us-east-1a", "us-east-1", [0, 0, 0, 0, 0, 1], 1.0)
    far = ("us-west-2a", "us-west-2", [1], 1.0)
    w = world(near, far)
    spec = job(1.0, 4.0, data_gb=100.0)
    hopper = run("cheapest_fit", w, spec)
    assert hopper.transfer_usd == pytest.approx(2.0) and hopper.cost_usd == pytest.approx(2.0 + 11 * 0.1)
    patient = run("sskai", w, spec)
    assert patient.path[:5] == (IDLE,) * 5 and set(patient.path[5:]) == {A}
    assert patient.cost_usd == pytest.approx(1.1) and patient.deadline_met
    assert "waiting for us-east-1a" in patient.timeline[0].reason
    assert optimal_cost(w, spec, 0) == pytest.approx(1.1)


def test_a_tight_deadline_goes_on_demand_where_waiting_would_miss_it() -> None:
    w = world(("us-east-1a", "us-east-1", [0] * 8 + [1], 1.0))
    spec = job(1.0, 1.4)
    late = run("cheapest_fit", w, spec)
    # Waits 8 ticks, then spot; at the deadline (t14) 5 ticks are left: a restart and 5 ticks on demand.
    assert late.path[:8] == (IDLE,) * 8 and not late.deadline_met and late.hours == pytest.approx(2.0)
    assert late.after_deadline_usd == pytest.approx(6 * ONDEMAND_PRICE * 0.1)
    assert late.cost_usd == pytest.approx(6 * 0.1 + late.after_deadline_usd)
    for name in ("sskai", "uniform_progress"):
        safe = run(name, w, spec)
        assert safe.deadline_met and ON_DEMAND in safe.path and A not in safe.path, name
        assert safe.cost_usd == pytest.approx(11 * ONDEMAND_PRICE * 0.1)
    assert set(run("sskai", w, spec).path) == {ON_DEMAND}  # at once: no wait could pay off
    # Knowing spot returns at t8: idle 2 ticks, on demand t2-t7 (restart + 5 ticks of work), then spot
    # t8-t13 (restart + the last 5), done exactly at the deadline: 6 x 0.5 + 6 x 0.1.
    assert optimal_cost(w, spec, 0) == pytest.approx(3.6)
    assert optimal_cost(w, job(1.0, 1.0), 0) == float("inf")  # no time for the restart


def test_sskai_returns_from_on_demand_to_spot_when_the_slack_allows() -> None:
    """Spot gone for six hours (not worth waiting for), then back: on demand is not for good (the old guard
    committed to it)."""
    w = world(("us-east-1a", "us-east-1", [0] * 63 + [1], 3.0), ticks=120)
    spec = job(4.0, 5.0)  # 40 ticks of work, 10 of slack
    outcome = run("sskai", w, spec, start=60)
    assert outcome.deadline_met and outcome.path[0] == ON_DEMAND and outcome.path[-1] == A
    assert outcome.moves == 1 and "spot is back" in outcome.timeline[-1].reason
    assert outcome.cost_usd < run("on_demand", w, spec, start=60).cost_usd


def test_sskai_does_not_hop_between_pools_of_the_same_price() -> None:
    """A move pays a restart and the data's transfer: it is made only when it saves more than that."""
    flicker = [1, 1, 0] * 20  # us-east-1a drops out every third tick and is back at once
    w = world(("us-east-1a", "us-east-1", flicker, 1.0), ("us-east-2a", "us-east-2", [1], 1.0), ticks=60)
    spec = job(2.0, 4.0, data_gb=100.0)
    calm = run("sskai", w, spec)
    assert calm.moves == 0 and calm.deadline_met
    assert calm.cost_usd <= run("cheapest_fit", w, spec).cost_usd


def test_uniform_progress_uses_on_demand_only_while_behind_its_line() -> None:
    # Spot for 4 ticks, then gone for 10, then back; deadline 2x the work.
    w = world(("us-east-1a", "us-east-1", [1] * 4 + [0] * 10 + [1], 1.0))
    path = run("uniform_progress", w, job(1.0, 2.0)).path
    assert path[:4] == (A,) * 4  # 3 ticks of progress by t4, ahead of the line (10 x 4 / 20 = 2)
    assert path[4:6] == (IDLE, IDLE)  # ahead: wait
    assert ON_DEMAND in path[6:14]  # behind the line while spot is gone: on demand


def test_sskai_avoids_a_pool_that_has_been_flapping() -> None:
    history = 200
    flapping = [1, 1, 1, 0, 0, 0] * (history // 6) + [1] * 40
    steady = [1] * (history + 40)
    w = world(("us-east-1a", "us-east-1", flapping, 1.0), ("us-east-1c", "us-east-1", steady, 1.0), ticks=len(steady))
    spec = job(1.0, 2.0)
    start = len(flapping) - 40
    assert run("cheapest_fit", w, spec, start).path[0] == A  # the tie goes to the first pool
    assert run("sskai", w, spec, start).path[0] == B


def test_a_preemption_loses_the_work_since_the_last_checkpoint() -> None:
    w = world(("us-east-1a", "us-east-1", [1] * 5 + [0], 1.0), ("us-east-1c", "us-east-1", [1], 1.0), ticks=30)
    spec = ReplayJob(1.0, 3.0, restart_seconds=TICK, checkpoint_interval_seconds=3 * TICK)
    lost = run("cheapest_fit", w, spec)
    assert lost.lost_work_hours == pytest.approx(0.1)  # 4 ticks of work by t5, checkpointed at 3: one is lost
    noticed = run("cheapest_fit", w, ReplayJob(1.0, 3.0, restart_seconds=TICK, checkpoint_interval_seconds=3 * TICK,
                                               notice_checkpoints=True))  # fmt: skip
    assert noticed.lost_work_hours == 0 and noticed.cost_usd == pytest.approx(lost.cost_usd - 0.1)


class Peek(SpotPolicy, name="peek-for-tests"):
    """Records what it was shown: the past must end at the present and be read-only."""

    def decide(self, seen: Observation) -> Decision:
        past = seen.past.capacity()
        assert past.shape[1] == seen.past.now + 1 == 5 + round(seen.now_seconds / TICK) + 1
        assert not past.flags.writeable
        with pytest.raises(ValueError):
            past[0, -1] = 7
        return LaunchOnDemand("peeking")


def test_policies_see_the_past_and_never_the_future() -> None:
    w = world(("us-east-1a", "us-east-1", [1, 0] * 20, 1.0))
    assert replay(Peek(), w, job(1.0, 2.0), 5, shipped_risk_model(load_catalog())).deadline_met
