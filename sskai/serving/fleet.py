"""Where a replicated endpoint's replicas run, tick by tick: spot pools with capacity, and on demand as the floor
and the fallback.

SkyServe's rule (SpotHedge, EuroSys '25), with its gaps filled: the spot replicas are spread over
the pools with capacity, best first by price x survival, at most one more per pool than the next
(one pool's reclaim takes as few as it can); on-demand replicas are the floor plus one for every
spot replica no pool has capacity for (``floor + spot wanted - spot placed``; a replica being
started is not short, it answers within the tick); the fallback goes only after spot has been whole
for ``calm_ticks`` (hysteresis: a flapping pool does not flap the on-demand fleet). Pure:
the live driver and the benchmark's replay both step it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FleetTarget:
    spot_wanted: int
    floor: int
    calm_ticks: int = 3


@dataclass(frozen=True)
class FleetStep:
    """What to do now: replicas lost per pool, spot replicas to launch per pool, the on-demand count wanted."""

    lost: np.ndarray
    launch: np.ndarray
    ondemand: int
    reasons: tuple[str, ...]

    @property
    def spot(self) -> int:
        return int(self.launch.sum())


def survival_costs(prices: np.ndarray, hazards_per_hour: np.ndarray) -> np.ndarray:
    """USD per replica-hour, grown by the chance of losing the replica within the hour."""
    return prices * np.exp(hazards_per_hour)


def ondemand_replicas(floor: int, spot_wanted: int, spot_ready: int) -> int:
    return floor + max(0, spot_wanted - spot_ready)


class FleetPlanner:
    def __init__(self, target: FleetTarget, pool_names: tuple[str, ...]) -> None:
        self.target, self.pool_names = target, pool_names
        self.calm = 0

    def step(self, held: np.ndarray, capacity: np.ndarray, costs: np.ndarray, ondemand_now: int) -> FleetStep:
        """``held``: spot replicas per pool; ``capacity``: obtainable instances per pool now."""
        lost = np.maximum(held - capacity, 0)
        kept = held - lost
        reasons = [
            f"{int(n)} replica(s) lost with {self.pool_names[p]}" for p in np.flatnonzero(lost) for n in [lost[p]]
        ]
        launch = np.zeros_like(held)
        missing = self.target.spot_wanted - int(kept.sum())
        spare = capacity - kept
        order = [int(p) for p in np.argsort(costs, kind="stable") if spare[p] > 0]
        while missing > 0 and order:
            for pool in list(order):  # one per pool per pass: spread, best first
                if missing == 0:
                    break
                launch[pool] += 1
                missing -= 1
                if launch[pool] >= spare[pool]:
                    order.remove(pool)
        for pool in np.flatnonzero(launch):
            reasons.append(f"{int(launch[pool])} spot replica(s) on {self.pool_names[pool]}")
        placed = int(kept.sum() + launch.sum())  # a launch is ready within the tick; only no capacity is short
        self.calm = self.calm + 1 if placed >= self.target.spot_wanted else 0
        wanted = ondemand_replicas(self.target.floor, self.target.spot_wanted, placed)
        ondemand = wanted if wanted >= ondemand_now or self.calm >= self.target.calm_ticks else ondemand_now
        if ondemand != ondemand_now:
            reasons.append(
                f"on demand {ondemand_now} -> {ondemand}: floor {self.target.floor}, "
                f"{max(0, self.target.spot_wanted - placed)} spot replica(s) short of capacity"
            )
        return FleetStep(lost=lost, launch=launch, ondemand=ondemand, reasons=tuple(reasons))


def fleet_usd(spot: np.ndarray, prices: np.ndarray, ondemand: int, ondemand_usd_per_hour: float, hours: float) -> float:
    """What ``hours`` of this fleet cost: each spot replica at its pool's price, the on-demand ones at on demand's."""
    return float((spot * prices).sum() + ondemand * ondemand_usd_per_hour) * hours
