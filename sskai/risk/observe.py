"""What a trace says about one pool: hours held, losses, and how long capacity stayed away.

A pool is modelled as an alternating renewal process: capacity is held for an exponential time
(rate = the hazard, losses per hour held) and, once lost, stays away for a while (the wait). The
three figures a policy needs follow from the trace's counts, so each is an estimate that a test can
check by hand: hazard = losses / hours held, availability = hours up / hours observed, and the mean
wait = hours down / down spells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sskai.traces.readers import AvailabilityTrace
from sskai.units import SECONDS_PER_HOUR


@dataclass(frozen=True)
class PoolObservation:
    """One pool's counts over a trace; ``availability`` and ``mean_wait_hours`` are None for a cluster log."""

    pool: str
    instance_type: str
    region: str | None
    hours: float
    held_hours: float  # instance-hours held (for a 1-node probe, the hours it was up)
    losses: int
    up_hours: float | None = None  # hours with at least one instance obtainable
    down_spells: int = 0
    down_hours: float = 0.0

    @property
    def hazard_per_hour(self) -> float:
        return self.losses / self.held_hours if self.held_hours else float("inf")

    @property
    def availability(self) -> float | None:
        return None if self.up_hours is None else self.up_hours / self.hours

    @property
    def mean_wait_hours(self) -> float | None:
        if self.up_hours is None:
            return None
        return self.down_hours / self.down_spells if self.down_spells else 0.0


def observe_availability(trace: AvailabilityTrace, instance_type: str, region: str | None) -> PoolObservation:
    """Counts from a probe or count trace: each sample's count holds until the next sample."""
    times, counts = trace.offsets_seconds, trace.available
    held = up = down = 0.0
    spells = losses = 0
    for i in range(len(times) - 1):
        length = (times[i + 1] - times[i]) / SECONDS_PER_HOUR
        held += length * counts[i]
        if counts[i] > 0:
            up += length
        else:
            down += length
            spells += i == 0 or counts[i - 1] > 0
        losses += max(counts[i] - counts[i + 1], 0)
    return PoolObservation(
        pool=trace.name,
        instance_type=instance_type,
        region=region,
        hours=trace.duration_seconds / SECONDS_PER_HOUR,
        held_hours=held,
        losses=losses,
        up_hours=up,
        down_spells=spells,
        down_hours=down,
    )


def any_zone(traces: Sequence[AvailabilityTrace], name: str) -> AvailabilityTrace:
    """The region as a scheduler that may use any of its zones sees it: up while some zone is up.

    The zones must share sample times (the shipped V100 probes do).
    """
    first = traces[0]
    if any(t.offsets_seconds != first.offsets_seconds for t in traces):
        raise ValueError(f"{name}: zone traces must share sample times to be combined")
    return AvailabilityTrace(
        name=name,
        start=first.start,
        offsets_seconds=first.offsets_seconds,
        available=tuple(int(any(t.available[i] for t in traces)) for i in range(len(first.available))),
        capacity=1,
    )


def chance_gang_is_hit(before: np.ndarray, after: np.ndarray, gang: int) -> np.ndarray:
    """The chance that a gang of ``gang`` instances among ``before`` loses one when the count falls to ``after``.

    Losses fall on instances uniformly: none of the k lost is the gang's with probability
    C(c - n, k) / C(c, k) = prod_{i<k} (c - n - i) / (c - i). A count below the gang always hits it.
    """
    before, after = np.asarray(before, dtype=np.int64), np.asarray(after, dtype=np.int64)
    fall = np.maximum(before - after, 0)
    spared = np.ones(np.broadcast(before, after).shape)
    for i in range(int(fall.max()) if fall.size else 0):
        factor = np.clip((before - gang - i) / np.maximum(before - i, 1), 0.0, 1.0)
        spared = np.where(fall > i, spared * factor, spared)
    return np.where(after < gang, 1.0, 1.0 - spared)
