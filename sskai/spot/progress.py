"""One job's progress as a spot policy's drivers account it: work done, overhead owed, work not yet
checkpointed, and what each second cost where it ran.

The replay engine and the live controller keep the same books, so a policy sees the same numbers
from both. Time is charged in seconds: a (re)launch pays its transfer and ``restart_seconds`` of
billed overhead, worked off before any progress; a preemption throws away the work since the last
checkpoint (every ``checkpoint_interval_seconds`` of progress) unless the job checkpoints on the notice.
"""

from __future__ import annotations

from sskai.spot.decisions import IDLE, ON_DEMAND, Where
from sskai.spot.policy import PolicyJob
from sskai.units import SECONDS_PER_HOUR


class JobProgress:
    def __init__(self, job: PolicyJob) -> None:
        self.job = job
        self.work_seconds = job.work_seconds  # the live driver refines it from the training's own progress
        self.where: Where = IDLE
        self.owed = self.done = self.since_checkpoint = 0.0
        self.cost = self.transfer = 0.0
        self.spot_seconds = self.ondemand_seconds = self.lost = 0.0
        self.preemptions = self.launches = self.moves = 0
        self.finished_at: float | None = None

    @property
    def remaining(self) -> float:
        return max(self.work_seconds - self.done, 0.0)

    @property
    def unsaved(self) -> float:
        """Work a preemption now would throw away."""
        return 0.0 if self.job.notice_checkpoints else self.since_checkpoint

    def launch_usd(self, to: Where) -> float:
        return self.job.launch_usd[-1 if to.on_demand else to.pool]

    def launch(self, to: Where) -> None:
        usd = self.launch_usd(to)
        self.cost += usd
        self.transfer += usd
        self.owed = self.job.restart_seconds
        self.launches += 1
        self.moves += 0 if self.where.idle else 1
        self.where = to

    def preempt(self) -> None:
        lost = self.unsaved
        self.done -= lost
        self.lost += lost
        self.since_checkpoint = 0.0
        self.where, self.owed = IDLE, 0.0
        self.preemptions += 1

    def release(self) -> None:
        """Give back what the job holds (a wait): the overhead paid so far is sunk."""
        self.where, self.owed = IDLE, 0.0

    def run(self, seconds: float, usd_per_hour: float, now: float) -> None:
        """Hold the current location for up to ``seconds``: overhead first, then progress, billed by the second."""
        overhead = min(self.owed, seconds)
        self.owed -= overhead
        progress = min(seconds - overhead, self.remaining)
        self.done += progress
        interval = self.job.checkpoint_interval_seconds
        self.since_checkpoint = (self.since_checkpoint + progress) % interval if interval > 0 else 0.0
        billed = overhead + progress
        self.cost += usd_per_hour * self.job.gang * billed / SECONDS_PER_HOUR
        if self.where.on_demand:
            self.ondemand_seconds += billed
        else:
            self.spot_seconds += billed
        if self.remaining <= 1e-9:
            self.finished_at = now + billed

    def finish_on_demand(self, now: float) -> float:
        """Finish the rest on demand at once (past the deadline, or past the trace); returns what it cost."""
        before = self.cost
        if not self.where.on_demand:
            self.launch(ON_DEMAND)
        self.run(self.owed + self.remaining, self.job.ondemand_usd_per_hour, now)
        return self.cost - before
