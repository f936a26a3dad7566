"""The fleet planner: each spot replica placed by the spot policy, spread over pools with room, lost ones
replaced elsewhere, on demand as floor plus every replica not on spot, and the fallback held until
the fleet has wanted fewer for a while."""

from __future__ import annotations

import numpy as np
import pytest

from sskai.replay.world import Pool, World
from sskai.risk.model import PoolRisk
from sskai.serving.fleet import FleetPlanner, FleetTarget, fleet_usd, replay_fleet, serving_job
from sskai.spot.policy import Past, PoolInfo, SpotPolicy

PRICES = np.array([0.10, 0.20, 0.40])
ONDEMAND = 0.526


def planner(capacity: np.ndarray, spot_wanted: int, floor: int, calm_ticks: int = 3, policy: str = "sskai"):
    """A planner over pools a, b, c whose capacity is ``capacity`` (pools x ticks)."""
    pools = tuple(
        PoolInfo(name, "us-east-1", "g4dn.xlarge", PoolRisk(0.01, 0.99, 0.5, "test", "hand-made")) for name in "abc"
    )
    prices = np.repeat(PRICES[:, None], capacity.shape[1], axis=1)
    job = serving_job(pools, ONDEMAND, tick_seconds=60.0)
    target = FleetTarget(spot_wanted=spot_wanted, floor=floor, calm_ticks=calm_ticks, policy=policy)
    return FleetPlanner(target, job, lambda at: Past(capacity, prices, at, 60.0), 0)


def play(fleet: FleetPlanner, capacity: np.ndarray) -> list:
    steps, ondemand = [], 0
    for at in range(capacity.shape[1]):
        step = fleet.step(at, capacity[:, at], PRICES, ondemand)
        ondemand = step.ondemand
        steps.append((step, fleet.held().tolist()))
    return steps


def test_replicas_spread_over_the_pools_cheapest_first_and_never_past_their_capacity() -> None:
    roomy = np.array([[5], [5], [1]])
    [(step, held)] = play(planner(roomy, spot_wanted=4, floor=1), roomy)
    assert held == [2, 1, 1] and step.launch.tolist() == [2, 1, 1]  # a, b, c, then a again; c holds one
    assert step.lost.sum() == 0 and step.ondemand == 1  # all four on spot: the floor only
    tight = np.array([[1], [1], [0]])
    [(step, held)] = play(planner(tight, spot_wanted=4, floor=1), tight)
    assert held == [1, 1, 0] and step.ondemand == 3  # two replicas no pool can hold: the fallback covers them
    assert any("waiting for spot" in reason for reason in step.reasons)


def test_a_pool_lost_for_good_is_replaced_by_another_pool_and_the_fallback_waits_to_go() -> None:
    # b is lost for good at tick 1; c has room for one more from tick 3 on.
    capacity = np.array([[1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]])
    steps = play(planner(capacity, spot_wanted=2, floor=1, calm_ticks=2), capacity)
    (first, held0), (gone, held1) = steps[0], steps[1]
    assert held0 == [1, 1, 0] and first.ondemand == 1
    assert gone.lost.tolist() == [0, 1, 0] and held1 == [1, 0, 0] and gone.ondemand == 2  # the fallback, at once
    assert any("lost with b" in reason for reason in gone.reasons)
    (back, held3) = steps[3]
    assert held3 == [1, 0, 1] and back.launch.tolist() == [0, 0, 1]
    assert back.ondemand == 2 and steps[4][0].ondemand == 1  # whole again: the fallback goes after two calm ticks


SHIPPED = [name for name in SpotPolicy.registry.names() if SpotPolicy.registry.get(name).__module__.startswith("sskai")]


@pytest.mark.parametrize("policy", SHIPPED)
def test_every_spot_replica_not_on_spot_is_covered_on_demand_whatever_the_policy(policy: str) -> None:
    capacity = np.array([[2, 0, 0, 2, 2, 0, 2], [1, 1, 0, 0, 1, 1, 1], [0, 1, 1, 0, 0, 1, 1]])
    for at, (step, held) in enumerate(play(planner(capacity, spot_wanted=3, floor=1, policy=policy), capacity)):
        assert sum(held) + step.ondemand >= 3 + 1, at  # the floor plus three, always
        assert (np.array(held) <= capacity[:, at]).all(), at  # never more than a pool holds


def test_a_fleet_costs_each_replica_at_its_pools_price() -> None:
    assert fleet_usd(np.array([1, 2, 0]), np.array([0.1, 0.2, 0.4]), 1, 0.5, hours=2.0) == (0.1 + 0.4 + 0.5) * 2.0


def test_a_replayed_fleet_pays_each_replica_its_pools_price_and_is_cheaper_than_on_demand() -> None:
    world = World(
        name="two-zones",
        tick_seconds=60.0,
        pools=(
            Pool("a", "us-east-1", np.array([1, 1, 0, 0, 1, 1]), np.full(6, 0.1)),
            Pool("b", "us-east-1", np.ones(6, dtype=np.int64), np.full(6, 0.2)),
        ),
        ondemand_usd_per_hour=0.5,
        home_region="us-east-1",
    )
    priors = [PoolRisk(0.01, 0.99, 0.5, "test", "hand-made")] * 2
    spot = replay_fleet(world, FleetTarget(spot_wanted=2, floor=0), 0, 6, priors)
    assert spot.preemptions == 1 and spot.ondemand_replica_hours > 0  # a's loss: the fallback covers it
    # a is back at tick 4, and the fallback stays two more ticks (three calm ones are needed to let it go)
    assert spot.spot_replica_hours == pytest.approx(10 / 60) and spot.ondemand_replica_hours == pytest.approx(4 / 60)
    assert spot.usd == pytest.approx((4 * 0.1 + 6 * 0.2 + 4 * 0.5) / 60)  # a 4 ticks, b 6, on demand 4
    assert spot.ondemand_only_usd == pytest.approx(12 / 60 * 0.5)  # the two replicas wanted, on demand
    assert spot.ratio_to_ondemand == pytest.approx(0.6)
    everything = replay_fleet(world, FleetTarget(spot_wanted=2, floor=0, policy="on_demand"), 0, 6, priors)
    assert everything.ratio_to_ondemand == pytest.approx(1.0) and everything.preemptions == 0
