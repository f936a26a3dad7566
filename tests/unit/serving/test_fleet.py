"""The fleet planner: spot replicas spread best first, lost ones replaced elsewhere, on demand as floor plus
shortfall, and the fallback held until spot has been whole for a while."""

from __future__ import annotations

import numpy as np

from sskai.serving.fleet import FleetPlanner, FleetTarget, fleet_usd, survival_costs

POOLS = ("a", "b", "c")
COSTS = survival_costs(np.array([0.10, 0.20, 0.40]), np.array([2.0, 0.05, 0.0]))  # a is cheap but risky


def test_replicas_spread_over_the_pools_best_first_and_never_past_their_capacity() -> None:
    planner = FleetPlanner(FleetTarget(spot_wanted=4, floor=1), POOLS)
    step = planner.step(np.zeros(3, int), np.array([5, 5, 1]), COSTS, ondemand_now=0)
    assert step.launch.tolist() == [1, 2, 1]  # b (0.21), c (0.40), a (0.74): round-robin, c holds one
    assert step.lost.sum() == 0 and step.ondemand == 1  # all four placed: the floor only
    short = FleetPlanner(FleetTarget(spot_wanted=4, floor=1), POOLS).step(
        np.zeros(3, int), np.array([1, 1, 0]), COSTS, 0
    )
    assert short.launch.tolist() == [1, 1, 0] and short.ondemand == 3  # two no pool can hold: on demand


def test_a_pool_lost_for_good_is_replaced_by_another_pool_or_on_demand_then_the_fallback_waits_to_go() -> None:
    planner = FleetPlanner(FleetTarget(spot_wanted=2, floor=1, calm_ticks=2), POOLS)
    held = np.array([0, 2, 0])
    gone = planner.step(held, np.array([0, 0, 1]), COSTS, ondemand_now=1)  # b is gone; c has one instance
    assert gone.lost.tolist() == [0, 2, 0] and gone.launch.tolist() == [0, 0, 1]
    assert gone.ondemand == 2 and any("lost with b" in reason for reason in gone.reasons)
    back = planner.step(np.array([0, 0, 1]), np.array([0, 2, 1]), COSTS, ondemand_now=2)  # b is back
    assert back.launch.tolist() == [0, 1, 0] and back.ondemand == 2  # whole again, but only for one tick
    assert planner.step(np.array([0, 1, 1]), np.array([0, 2, 1]), COSTS, ondemand_now=2).ondemand == 1  # calm


def test_a_fleet_costs_each_replica_at_its_pools_price() -> None:
    assert fleet_usd(np.array([1, 2, 0]), np.array([0.1, 0.2, 0.4]), 1, 0.5, hours=2.0) == (0.1 + 0.4 + 0.5) * 2.0
