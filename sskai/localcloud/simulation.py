"""What the local cloud plays against a local training: which world of spot capacity, and how fast.

Every source becomes one ``World`` (the replay's): a count of obtainable instances and a price per
candidate pool at every tick. So the live run and the replay of the same job read the same
capacity, the same prices and the same losses (``World.preempts``). Sources:

- ``fixed``: the training's candidate pools at their planned prices, full (one instance per
  worker) except where ``preemptions`` take one node (the pool has one fewer until it comes back)
  or ``outages`` take the whole pool (for a while, or for good). For tests and demonstrations.
- ``trace``: a shipped trace or trace group (``aws-v100-9-zones`` gives nine pools, one per zone,
  at the zones' real prices); the trace's pools replace the plan's candidates. A 1-node probe that
  says "obtainable" is read as the gang being obtainable.
- ``rates``: the candidate pools, each losing its capacity at its own calibrated hazard (never the
  Spot Advisor's band read literally) and getting it back after an exponential wait with the
  pool's calibrated mean; seeded.

Times are real-world seconds (a 120 s EC2 notice, a 60 s provisioning delay), divided by
``time_scale`` when played, so a trace hour can pass in a minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sskai.catalog.catalog import Catalog
from sskai.errors import ConfigError
from sskai.plans import PoolCandidate
from sskai.replay.sources import shipped_worlds
from sskai.replay.world import Pool, World
from sskai.risk.model import PoolRisk
from sskai.risk.shipped import shipped_risk_model
from sskai.traces.shipped import SHIPPED_TRACES
from sskai.units import SECONDS_PER_HOUR

# EC2 warns two minutes before it reclaims a spot instance; a spot request is usually fulfilled in about a minute.
EC2_NOTICE_SECONDS = 120.0
PROVISIONING_SECONDS = 60.0
# Shipped worlds a simulation can play, by name: each trace group, and each single trace as one pool.
GROUPS = ("aws-v100-9-zones", "aws-p3-cluster", "aws-g4dn-cluster", "gcp-v100-group", "gcp-a100-group")
TRACES = (*GROUPS, *SHIPPED_TRACES)


class ScheduledPreemption(BaseModel):
    """One node of a pool reclaimed: the pool has one instance fewer until ``capacity_back_after_seconds``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at_seconds: float = Field(ge=0)
    slot: str | None = Field(None, description="Whose node goes, if it runs on the pool; default: the last one there")
    pool: int = Field(0, ge=0, description="Which candidate pool (its index in the plan)")
    notice_seconds: float = Field(EC2_NOTICE_SECONDS, ge=0, description="0: killed without notice")
    capacity_back_after_seconds: float | None = Field(0.0, ge=0, description="None: capacity never comes back")


class PoolOutage(BaseModel):
    """A whole pool loses its capacity: every node on it is reclaimed, and none can be had until it is back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pool: int = Field(0, ge=0)
    at_seconds: float = Field(ge=0)
    back_after_seconds: float | None = Field(None, ge=0, description="None: gone for good")
    notice_seconds: float = Field(EC2_NOTICE_SECONDS, ge=0)


@dataclass(frozen=True)
class CloudScript:
    """What the local cloud plays: a world from ``start_tick`` on, with the notice and victim of each loss."""

    world: World
    start_tick: int
    priors: tuple[PoolRisk, ...]  # each pool's calibrated risk for one instance
    notice_seconds: float  # real-world seconds, before scaling
    notices: dict[tuple[int, int], float] = field(default_factory=dict)  # (pool, tick) -> notice, where it differs
    victims: dict[tuple[int, int], str] = field(default_factory=dict)  # (pool, tick) -> the slot a loss takes

    def pool_candidates(self) -> tuple[PoolCandidate, ...]:
        """The world's pools as a plan's candidates: what the nodes are labelled and billed as."""
        found = []
        for index, pool in enumerate(self.world.pools):
            risk = self.priors[index]
            found.append(
                PoolCandidate(
                    instance_type=pool.instance_type or self.world.instance_type,
                    region=pool.region,
                    zone=pool.name if pool.name != pool.region else None,
                    spot_usd_per_hour=float(pool.spot_usd_per_hour[min(self.start_tick, self.world.ticks - 1)]),
                    ondemand_usd_per_hour=self.world.ondemand_usd_per_hour,
                    hazard_per_hour=risk.hazard_per_hour,
                    availability=risk.availability,
                    mean_wait_hours=risk.mean_wait_hours,
                    risk_basis=risk.explained,
                )
            )
        return tuple(found)


def candidate_risk(candidate: PoolCandidate) -> PoolRisk:
    return PoolRisk(
        candidate.hazard_per_hour,
        candidate.availability,
        candidate.mean_wait_hours,
        "plan",
        candidate.risk_basis or "as the election priced it",
    )


class SpotSimulation(BaseModel):
    """Play spot capacity against the local cluster as a cloud would: a fixed script, a real trace, or rates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Literal["fixed", "trace", "rates"]
    time_scale: float = Field(1.0, gt=0, description="Real-world seconds per simulated second.")
    provisioning_seconds: float = Field(PROVISIONING_SECONDS, ge=0, description="A new node's start delay.")
    notice_seconds: float = Field(EC2_NOTICE_SECONDS, ge=0, description="Warning before a reclaim (trace, rates).")
    tick_seconds: float = Field(60.0, gt=0, description="Capacity read, policy asked: this often (fixed, rates).")
    preemptions: tuple[ScheduledPreemption, ...] = ()
    outages: tuple[PoolOutage, ...] = ()
    trace: Literal[TRACES] | None = None  # type: ignore[valid-type]
    trace_start_seconds: float = Field(0.0, ge=0)
    preemptions_per_hour: float = Field(0.0, ge=0, description="rates: override every pool's calibrated hazard")
    mean_wait_seconds: float = Field(0.0, ge=0, description="rates: override every pool's calibrated wait")
    horizon_hours: float = Field(72.0, gt=0, description="fixed, rates: how far the world runs.")
    seed: int = 0

    @property
    def scaled_provisioning_seconds(self) -> float:
        return self.provisioning_seconds / self.time_scale

    def script(
        self, candidates: tuple[PoolCandidate, ...], gang: int, catalog: Catalog, workers: int | None = None
    ) -> CloudScript:
        """The world this simulation plays over the plan's ``candidates`` for a job of ``workers`` nodes that can
        run on ``gang`` (fewer when elastic): a full pool holds all its workers."""
        size = max(workers or gang, gang)
        if self.source == "trace":
            return self._trace_script(size, catalog)
        if not candidates:
            raise ConfigError("a spot simulation needs the training's candidate pools (an elected plan)")
        ticks = int(self.horizon_hours * SECONDS_PER_HOUR / self.tick_seconds) + 1
        counts = np.full((len(candidates), ticks), size, dtype=np.int64)
        notices: dict[tuple[int, int], float] = {}
        victims: dict[tuple[int, int], str] = {}
        if self.source == "fixed":
            self._fixed(counts, notices, victims, len(candidates))
        else:
            self._rates(counts, candidates, size)
        pools = tuple(
            Pool(
                name=c.name,
                region=c.region,
                capacity=counts[i],
                spot_usd_per_hour=np.full(ticks, c.spot_usd_per_hour),
                instance_type=c.instance_type,
            )
            for i, c in enumerate(candidates)
        )
        first = candidates[0]
        world = World(
            f"{self.source} simulation",
            self.tick_seconds,
            pools,
            first.ondemand_usd_per_hour,
            first.region,
            first.instance_type,
        )
        priors = tuple(candidate_risk(c) for c in candidates)
        return CloudScript(world, 0, priors, self.notice_seconds, notices, victims)

    def _tick(self, seconds: float) -> int:
        return round(seconds / self.tick_seconds)

    def _fixed(self, counts: np.ndarray, notices: dict, victims: dict, pools: int) -> None:
        for item in (*self.preemptions, *self.outages):
            if item.pool >= pools:
                raise ConfigError(f"the simulation names pool {item.pool}; the plan has {pools} candidate pools")
        for item in self.preemptions:
            at = self._tick(item.at_seconds)
            back = item.capacity_back_after_seconds
            end = None if back is None else max(at + 1, self._tick(item.at_seconds + item.notice_seconds + back))
            counts[item.pool, at:end] -= 1
            notices[(item.pool, at)] = item.notice_seconds
            if item.slot is not None:
                victims[(item.pool, at)] = item.slot
        for outage in self.outages:
            at = self._tick(outage.at_seconds)
            back = outage.back_after_seconds
            end = None if back is None else max(at + 1, self._tick(outage.at_seconds + back))
            counts[outage.pool, at:end] = 0
            notices[(outage.pool, at)] = outage.notice_seconds
        np.clip(counts, 0, None, out=counts)

    def _rates(self, counts: np.ndarray, candidates: tuple[PoolCandidate, ...], size: int) -> None:
        draw = np.random.default_rng(self.seed)
        tick_hours = self.tick_seconds / SECONDS_PER_HOUR
        for index, candidate in enumerate(candidates):
            hazard = self.preemptions_per_hour or candidate.hazard_per_hour * size  # any of the job's nodes
            wait_hours = (self.mean_wait_seconds / SECONDS_PER_HOUR) or candidate.mean_wait_hours
            at = 0.0
            while hazard > 0:
                at += draw.exponential(1.0 / hazard)
                start = int(at / tick_hours)
                if start >= counts.shape[1]:
                    break
                down = max(1, int(np.ceil(draw.exponential(wait_hours) / tick_hours))) if wait_hours > 0 else 1
                counts[index, start : start + down] = 0
                at += down * tick_hours

    def _trace_script(self, size: int, catalog: Catalog) -> CloudScript:
        if self.trace is None:
            raise ConfigError("a trace simulation names its trace")
        group = self.trace if self.trace in GROUPS else SHIPPED_TRACES[self.trace].group
        world = next(w for w in shipped_worlds(catalog) if w.name == group)
        if self.trace not in GROUPS and len(world.pools) > 1:  # one zone of a group: that pool alone
            zone = SHIPPED_TRACES[self.trace].zone
            world = World(
                self.trace,
                world.tick_seconds,
                tuple(p for p in world.pools if p.name == zone),
                world.ondemand_usd_per_hour,
                world.home_region,
                world.instance_type,
                notes=world.notes,
            )
        if int(world.capacity.max()) <= 1:  # a 1-node probe: "obtainable" is read as the job's nodes being so
            world = World(
                world.name,
                world.tick_seconds,
                tuple(
                    Pool(p.name, p.region, p.capacity * size, p.spot_usd_per_hour, p.instance_type) for p in world.pools
                ),
                world.ondemand_usd_per_hour,
                world.home_region,
                world.instance_type,
                notes=(*world.notes, "a 1-node probe's 'obtainable' read as the job's nodes'"),
            )
        start = int(self.trace_start_seconds // world.tick_seconds)
        if start >= world.ticks - 1:
            raise ConfigError(
                f"trace {self.trace} covers {world.ticks * world.tick_seconds / 3600:.1f} h; "
                f"trace_start_seconds={self.trace_start_seconds:.0f} is past its end"
            )
        risk = shipped_risk_model(catalog)
        priors = tuple(risk.risk(p.instance_type or world.instance_type, p.region) for p in world.pools)
        return CloudScript(world, start, priors, self.notice_seconds)


def losses_of_a_held_job(world: World, gang: int, pool: int = 0) -> np.ndarray:
    """Per tick: does a gang holding ``pool`` lose it here (a hit while the pool held the gang the tick before)."""
    hits = world.preempts(gang)[pool]
    held = np.concatenate([[False], world.capacity[pool, :-1] >= gang])
    return hits & held


def window_losses(world: World, gang: int, span: int) -> np.ndarray:
    """Per start tick: the losses of a gang holding the first pool in the next ``span`` ticks, or -1 where that
    pool cannot hold the gang at the start (no window begins there)."""
    losses = losses_of_a_held_job(world, gang).astype(np.int64)
    totals = np.convolve(losses, np.ones(span, dtype=np.int64), mode="valid")[: world.ticks - span]
    return np.where(world.capacity[0, : len(totals)] >= gang, totals, -1)


def busiest_start_seconds(world: World, gang: int, hours: float) -> float:
    """The trace second, at a tick where the first pool holds the gang, whose next ``hours`` hold the most
    losses of it: where a demonstration meets notices, checkpoints and replacements soonest."""
    span = max(1, int(hours * SECONDS_PER_HOUR / world.tick_seconds))
    if span >= world.ticks:
        return 0.0
    return float(np.argmax(window_losses(world, gang, span))) * world.tick_seconds
