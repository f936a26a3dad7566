"""The live driver of a spot policy: beside a running training, the same step as the replay's, acting on a cluster.

At every tick (the local cloud's, or a timer's) the controller records what each candidate pool
offers now into its own history (the policy's ``Past`` reads only that, never the source's
future), steps the policy through :class:`sskai.spot.driver.PolicyDriver` and hands the decision
to a ``Placement``, which moves the worker slots to the chosen pool, to on-demand nodes, or lets
them go while the job waits. Its books estimate the work left from the time trained, refined by
the training's own progress once it reports some; a deadline that passes unfinished is met by
finishing on demand, as the replay charges it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from sskai.spot.decisions import LaunchOnDemand, Where
from sskai.spot.driver import PolicyDriver, Step
from sskai.spot.policy import Past, PolicyJob, SpotPolicy

# The training's own progress refines the work estimate once it has done this share of it.
PROGRESS_TRUSTED_FROM = 0.05


class Placement(Protocol):
    """Where the controller's decisions are carried out: a cluster's worker slots, a KubeRay group's replicas."""

    def place(self, where: Where, reason: str) -> None: ...


class History:
    """What the controller has seen of each pool, one column per tick: the only past its policy reads."""

    def __init__(self, capacity: np.ndarray, prices: np.ndarray, tick_seconds: float) -> None:
        """``capacity``/``prices``: pools x ticks known before the job (may have no columns)."""
        self.tick_seconds = tick_seconds
        self.length = capacity.shape[1]
        room = max(2 * self.length, 64)
        self._capacity = np.zeros((capacity.shape[0], room), dtype=capacity.dtype)
        self._prices = np.zeros((capacity.shape[0], room), dtype=float)
        self._capacity[:, : self.length], self._prices[:, : self.length] = capacity, prices

    @property
    def next_tick(self) -> int:
        return self.length

    def append(self, counts: np.ndarray, prices: np.ndarray) -> int:
        if self.length == self._capacity.shape[1]:
            self._capacity = np.concatenate([self._capacity, np.zeros_like(self._capacity)], axis=1)
            self._prices = np.concatenate([self._prices, np.zeros_like(self._prices)], axis=1)
        self._capacity[:, self.length], self._prices[:, self.length] = counts, prices
        self.length += 1
        return self.length - 1

    def past(self, at: int) -> Past:
        if at >= self.length:
            raise ValueError(f"tick {at} has not been seen yet (seen up to {self.length - 1})")
        return Past(self._capacity, self._prices, at, self.tick_seconds)


class SpotController:
    """Steps ``policy`` for ``job`` at each ``tick``; thread-safe (the cloud's thread and the caller may both call)."""

    def __init__(
        self,
        policy: SpotPolicy,
        job: PolicyJob,
        history: History,
        placement: Placement,
        on_step: Callable[[Step], None] = lambda step: None,
        progress: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.history, self.placement, self.on_step, self.progress = history, placement, on_step, progress
        self.driver = PolicyDriver(policy, job, history.past, history.next_tick)
        self.steps: list[Step] = []
        self._lock = threading.Lock()

    @property
    def where(self) -> Where:
        return self.driver.progress.where

    def tick(self, counts: np.ndarray, prices: np.ndarray, hit: np.ndarray) -> Step:
        """One tick: ``counts``/``prices`` per pool now; ``hit``: did a loss in each pool hit the gang."""
        with self._lock:
            at = self.history.append(counts, prices)
            self._refine()
            job, books = self.driver.job, self.driver.progress
            force = None
            if self.driver.now_seconds(at) >= job.deadline_seconds and not books.where.on_demand:
                force = LaunchOnDemand("the deadline has come with work left: finishing on demand")
            step = self.driver.step(at, counts >= job.gang, prices, hit, force=force)
            self.steps.append(step)
            if step.after != step.before or step.preempted or len(self.steps) == 1:
                self.placement.place(step.after, step.decision.reason)
            self.on_step(step)
            return step

    def _refine(self) -> None:
        """The work left, from the training's own progress once it has made enough to go by."""
        fraction = self.progress()
        books = self.driver.progress
        if fraction is not None and PROGRESS_TRUSTED_FROM <= fraction < 1.0 and books.done > 0:
            books.work_seconds = books.done / fraction
