"""Acting on a spot interruption notice inside the training loop, through Ray's own preemption signal.

When a node of the run is drained with reason PREEMPTION, ``ray.train.get_preemption_info()``
returns the deadline. The loop keeps training while it safely can, saves a checkpoint just in
time (deadline minus what a checkpoint takes, with a margin), then waits for the node to go:
the steps it would take after that checkpoint would be lost anyway. Every decision is rank 0's,
carried to the other ranks in the step's one all-reduce, because ``get_preemption_info`` and
``report`` are collectives that every rank must call at the same step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import ray.train

# How often rank 0 asks Ray whether a node of the run is being reclaimed (Ray polls drains every 0.5 s here).
POLL_SECONDS = 0.5
# Headroom on top of the measured duration of the last synchronous checkpoint (write and report).
REPORT_SECONDS = 1.0
# After the just-in-time checkpoint, wait this long past the deadline for the node to go before training on.
PARK_GRACE_SECONDS = 30.0


@dataclass
class NoticeWatch:
    """Rank 0's view of an imminent preemption: when to ask, when to save, and how long a save takes."""

    enabled: bool
    deadline: float | None = None  # UNIX seconds of the reclaim being acted on
    checkpoint_seconds: float = 1.0  # the last synchronous checkpoint's duration, measured
    _last_poll: float = field(default_factory=time.monotonic)
    _handled: set[int] = field(default_factory=set)  # deadlines already saved for

    def vote_poll(self) -> float:
        """Rank 0's vote to call ``get_preemption_info`` this step (all ranks must call it together)."""
        if not self.enabled or time.monotonic() - self._last_poll < POLL_SECONDS:
            return 0.0
        self._last_poll = time.monotonic()
        return 1.0

    def poll(self) -> None:
        """Every rank calls this at the same step: a barrier that returns the same answer everywhere."""
        info = ray.train.get_preemption_info()
        if info is None:
            return
        deadline_ms = info.deadline_ms or int(time.time() * 1000)
        if deadline_ms not in self._handled:
            self.deadline = deadline_ms / 1000

    def vote_save(self) -> float:
        """Rank 0's vote to save now: the latest moment a checkpoint still lands before the deadline."""
        if self.deadline is None:
            return 0.0
        margin = 1.5 * self.checkpoint_seconds + REPORT_SECONDS
        return 1.0 if time.time() >= self.deadline - margin else 0.0

    def saved(self) -> float:
        """Mark the notice handled; returns the deadline to wait for."""
        deadline = self.deadline if self.deadline is not None else time.time()
        self._handled.add(int(deadline * 1000))
        self.deadline = None
        return deadline

    @staticmethod
    def park_until_reclaimed(deadline: float) -> None:
        """Idle until Ray tears the group down at the deadline; train on if the reclaim never comes."""
        time.sleep(max(0.0, deadline - time.time()) + PARK_GRACE_SECONDS)
