"""What a replay runs through: pools of spot capacity over time, on-demand as the fallback, and a job.

Time is in ticks of the trace's sampling gap. At each tick a pool has a count of obtainable
instances and a spot price; a gang of ``n`` can hold the pool while the count is at least ``n``
(a count below it preempts the gang). On-demand capacity is always there, in the data's home
region, at one price. Moving to a pool in another region pulls the dataset and the checkpoint
across (priced by ``sskai.catalog.transfer``) on every launch there, since a fresh spot node starts
with an empty disk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sskai.catalog.transfer import TransferPricing, load_transfer_pricing

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, eq=False)
class Pool:
    name: str
    region: str
    capacity: np.ndarray  # obtainable instances at each tick
    spot_usd_per_hour: np.ndarray  # per instance at each tick

    def __post_init__(self) -> None:
        if self.capacity.shape != self.spot_usd_per_hour.shape or self.capacity.ndim != 1:
            raise ValueError(f"pool {self.name}: one count and one price per tick")


@dataclass(frozen=True, eq=False)
class World:
    name: str
    tick_seconds: float
    pools: tuple[Pool, ...]
    ondemand_usd_per_hour: float  # per instance, in the home region
    home_region: str  # where the data lives and where on-demand capacity runs
    instance_type: str = ""
    transfer: TransferPricing | None = None

    def __post_init__(self) -> None:
        lengths = {len(p.capacity) for p in self.pools}
        if len(lengths) != 1:
            raise ValueError(f"world {self.name}: every pool needs the same number of ticks, got {sorted(lengths)}")

    @property
    def ticks(self) -> int:
        return len(self.pools[0].capacity)

    @property
    def tick_hours(self) -> float:
        return self.tick_seconds / SECONDS_PER_HOUR

    @cached_property
    def capacity(self) -> np.ndarray:
        """Pools x ticks, stacked once: every replay and the optimum read it (policies get read-only views)."""
        return np.stack([p.capacity for p in self.pools])

    @cached_property
    def prices(self) -> np.ndarray:
        return np.stack([p.spot_usd_per_hour for p in self.pools])

    def transfer_pricing(self) -> TransferPricing:
        return self.transfer or load_transfer_pricing()


@dataclass(frozen=True)
class ReplayJob:
    """A training job: hours of work on one gang, a deadline, and how long a (re)launch takes."""

    work_hours: float
    deadline_hours: float
    gang: int = 1
    restart_seconds: float = 360.0  # provision, start, restore the checkpoint: paid, no progress
    data_gb: float = 0.0  # dataset plus checkpoint, pulled by every launch outside the home region

    def ticks(self, world: World) -> tuple[int, int, int]:
        """(work, deadline, restart) in whole ticks of ``world``."""
        per_tick = world.tick_seconds
        return (
            math.ceil(self.work_hours * SECONDS_PER_HOUR / per_tick - 1e-9),
            math.floor(self.deadline_hours * SECONDS_PER_HOUR / per_tick + 1e-9),
            math.ceil(self.restart_seconds / per_tick - 1e-9),
        )

    def launch_usd(self, world: World) -> np.ndarray:
        """Transfer paid by one launch in each pool, then on demand (home region: free)."""
        pricing = world.transfer_pricing()
        pools = [pricing.usd(self.data_gb, world.home_region, p.region) * self.gang for p in world.pools]
        return np.array([*pools, 0.0])
