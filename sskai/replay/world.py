"""What a replay runs through: pools of spot capacity over time, on-demand as the fallback, and a job.

Time is in ticks of the trace's sampling gap. At each tick a pool has a count of obtainable
instances and a spot price; a gang of ``n`` can hold the pool while the count is at least ``n``
(a count below it preempts the gang). On-demand capacity is always there, in the data's home
region, at one price. Moving to a pool in another region pulls the dataset and the checkpoint
across (priced by ``sskai.catalog.transfer``) on every launch there, since a fresh spot node starts
with an empty disk.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sskai.catalog.transfer import TransferPricing, load_transfer_pricing
from sskai.risk.observe import chance_gang_is_hit
from sskai.units import SECONDS_PER_HOUR


@dataclass(frozen=True, eq=False)
class Pool:
    name: str
    region: str
    capacity: np.ndarray  # obtainable instances at each tick
    spot_usd_per_hour: np.ndarray  # per instance at each tick
    instance_type: str = ""  # where it differs from the world's (a plan's candidates may mix types)

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
    notes: tuple[str, ...] = ()  # how the traces were read (cut to a common period, a region assumed)

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

    def preempts(self, gang: int) -> np.ndarray:
        """Pools x ticks: where a gang of ``gang`` holding the pool since the tick before loses it.

        The count falling below the gang always does. A smaller fall of ``k`` instances out of ``c``
        hits the gang with the chance that one of them is the gang's, ``1 - C(c - n, k) / C(c, k)``
        (losses fall on instances uniformly), drawn once per world, tick and gang size from a seed of
        the world's name: every policy and the optimum meet the same losses.
        """
        return _preemptions(self, gang)


@functools.lru_cache(maxsize=64)
def _preemptions(world: World, gang: int) -> np.ndarray:
    counts = world.capacity.astype(np.int64)
    before, after = counts[:, :-1], counts[:, 1:]
    chance = chance_gang_is_hit(before, after, gang)
    draws = np.random.default_rng(zlib.crc32(f"{world.name}:{gang}".encode())).random(chance.shape)
    hit = (after < gang) | ((before > after) & (draws < chance))
    return np.concatenate([np.zeros((counts.shape[0], 1), dtype=bool), hit], axis=1)


@dataclass(frozen=True)
class ReplayJob:
    """A training job: hours of work on one gang, a deadline, and what a (re)launch and a preemption cost."""

    work_hours: float
    deadline_hours: float
    gang: int = 1
    restart_seconds: float = 360.0  # provision, start, restore the checkpoint: paid, no progress
    data_gb: float = 0.0  # dataset plus checkpoint, pulled by every launch outside the home region
    checkpoint_interval_seconds: float = 600.0  # a preemption throws away the work since the last one
    notice_checkpoints: bool = False  # True: a checkpoint on the notice, so a preemption loses nothing

    def launch_usd(self, world: World) -> np.ndarray:
        """Transfer paid by one launch in each pool, then on demand (home region: free)."""
        pricing = world.transfer_pricing()
        pools = [pricing.usd(self.data_gb, world.home_region, p.region) * self.gang for p in world.pools]
        return np.array([*pools, 0.0])
