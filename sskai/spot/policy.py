"""The one spot-policy contract: the trace replay, the live training controller and spot serving all drive it.

A policy is pure. It is told the job once (``start``: its work, deadline, candidate pools with their
calibrated risk, the prices it will pay) and then, at every tick of its driver, what is true now
(``decide``: where the job is, which pools have capacity at what price, the work and time left) with
a read-only view of the past. It answers with a typed decision and the reason. It reads no clock,
store or catalog; the risk model is injected as each pool's ``PoolRisk``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sskai.registry import Registered, Registry
from sskai.risk.model import PoolRisk
from sskai.spot.decisions import Decision, Where
from sskai.units import SECONDS_PER_HOUR


@dataclass(frozen=True)
class PoolInfo:
    """One candidate pool: where it is, what it is, and its prior risk (calibrated, for the job's gang)."""

    name: str
    region: str
    instance_type: str
    risk: PoolRisk


@dataclass(frozen=True)
class PolicyJob:
    """The job a policy places, in seconds and USD per instance-hour.

    A serving replica is a job too: its work is a rolling horizon and it has no deadline
    (``deadline_seconds`` is infinite), see :mod:`sskai.serving.fleet`."""

    work_seconds: float
    deadline_seconds: float
    pools: tuple[PoolInfo, ...]
    ondemand_usd_per_hour: float  # per instance, in the data's home region
    launch_usd: tuple[float, ...]  # what one launch moves across (transfer), per pool, then on demand
    gang: int = 1
    restart_seconds: float = 360.0  # provision, start, restore: paid, no progress
    checkpoint_interval_seconds: float = 600.0
    notice_checkpoints: bool = False  # True: an announced preemption loses no work
    tick_seconds: float = 60.0  # how often the driver asks
    # What an hour holding no capacity costs: nothing for a training (it waits), an on-demand fallback
    # replica for a serving replica (the endpoint is never left short).
    idle_usd_per_hour: float = 0.0

    def __post_init__(self) -> None:
        if len(self.launch_usd) != len(self.pools) + 1:
            raise ValueError("launch_usd holds one figure per pool, then on demand")

    @property
    def pool_names(self) -> tuple[str, ...]:
        return tuple(pool.name for pool in self.pools)

    @property
    def lost_per_preemption_seconds(self) -> float:
        """Expected work a preemption throws away: none with notice checkpoints, else half an interval."""
        return 0.0 if self.notice_checkpoints else self.checkpoint_interval_seconds / 2.0


class Past:
    """Read-only obtainable counts and prices per pool, one column per driver tick, up to and including now."""

    def __init__(self, capacity: np.ndarray, prices: np.ndarray, now: int, tick_seconds: float) -> None:
        self._capacity, self._prices, self.now, self.tick_seconds = capacity, prices, now, tick_seconds

    def capacity(self) -> np.ndarray:
        view = self._capacity[:, : self.now + 1]
        view.flags.writeable = False
        return view

    def prices(self) -> np.ndarray:
        view = self._prices[:, : self.now + 1]
        view.flags.writeable = False
        return view

    @property
    def tick_hours(self) -> float:
        return self.tick_seconds / SECONDS_PER_HOUR


@dataclass(frozen=True)
class Observation:
    """What is true now, as the driver sees it."""

    now_seconds: float  # since the job started
    where: Where
    preempted: bool  # the gang lost its pool since the last decision
    available: np.ndarray  # per pool: can the gang be had now
    prices: np.ndarray  # per pool, USD per instance-hour now
    remaining_work_seconds: float
    owed_seconds: float  # relaunch overhead still to work off where the job is now
    unsaved_work_seconds: float  # work done since the last checkpoint: what a preemption now would throw away
    seconds_to_deadline: float  # negative once missed
    past: Past

    @property
    def slack_seconds(self) -> float:
        """Seconds that can still be lost (waiting, relaunching) before the deadline is out of reach."""
        return self.seconds_to_deadline - self.remaining_work_seconds - self.owed_seconds


class SpotPolicy(Registered, ABC):
    """Contract: ``start`` once per job (the past only), then ``decide`` at every driver tick until it is done.

    ``decide`` returns ``LaunchSpot`` only for a pool with capacity now, and ``Keep`` only while the
    job holds capacity; a driver refuses anything else. Implementations register by name.
    """

    registry: ClassVar[Registry[SpotPolicy]] = Registry("spot policy")

    def start(self, job: PolicyJob, past: Past) -> None:
        self.job = job

    @abstractmethod
    def decide(self, seen: Observation) -> Decision: ...
