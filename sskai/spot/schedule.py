"""Preemption schedules: what the spot simulator does to a cluster, and when.

A schedule is a time-ordered list of ``SpotEvent``s on named node slots: ``PREEMPT`` (the cloud
reclaims the node: drain with a notice, kill at the deadline) and ``CAPACITY`` (capacity is back: a
replacement may join after its provisioning delay). Three sources register by name:

- ``fixed``: an explicit list (tests);
- ``trace``: a real trace replayed, time-scaled. An availability trace's up-to-down transitions
  reclaim every node of the pool and its down-to-up transitions bring capacity back (as Can't Be
  Late and SkyNomad read an obtainability probe, which likely overstates the preemption of a
  running instance); a cluster trace's ``remove`` events reclaim that node and ``add`` events
  bring one back;
- ``rates``: Poisson preemptions at a per-node hourly hazard (the election's model), each followed
  by capacity after an exponential wait, seeded.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from sskai.registry import Registered, Registry
from sskai.traces.readers import AvailabilityTrace, ClusterEventTrace

# EC2 warns two minutes before it reclaims a spot instance.
EC2_NOTICE_SECONDS = 120.0


class SpotEventKind(StrEnum):
    PREEMPT = "preempt"
    CAPACITY = "capacity"


@dataclass(frozen=True, order=True)
class SpotEvent:
    at_seconds: float  # after the schedule starts, in simulated (already scaled) seconds
    kind: SpotEventKind
    slot: str  # which node slot: "worker-0", ...
    notice_seconds: float = 0.0  # for PREEMPT: the warning before the kill (0: unannounced)


class PreemptionSource(Registered, ABC):
    """Contract: ``events`` returns the schedule for ``slots`` up to ``horizon_seconds``, in time order."""

    registry: ClassVar[Registry[PreemptionSource]] = Registry("preemption source")

    @abstractmethod
    def events(self, slots: tuple[str, ...], horizon_seconds: float) -> list[SpotEvent]: ...


class FixedSchedule(PreemptionSource, name="fixed"):
    def __init__(self, events: list[SpotEvent]) -> None:
        self._events = sorted(events)

    def events(self, slots: tuple[str, ...], horizon_seconds: float) -> list[SpotEvent]:
        unknown = {e.slot for e in self._events} - set(slots)
        if unknown:
            raise ValueError(f"schedule names slots {sorted(unknown)} the cluster does not have ({list(slots)})")
        return [e for e in self._events if e.at_seconds <= horizon_seconds]


class TraceSchedule(PreemptionSource, name="trace"):
    """A real trace from ``start_seconds`` on, ``time_scale`` trace seconds to one simulated second."""

    def __init__(
        self,
        trace: AvailabilityTrace | ClusterEventTrace,
        start_seconds: float = 0.0,
        time_scale: float = 1.0,
        notice_seconds: float = EC2_NOTICE_SECONDS,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.trace, self.start_seconds, self.time_scale = trace, start_seconds, time_scale
        self.notice_seconds = notice_seconds / time_scale

    def _at(self, trace_seconds: float) -> float:
        return (trace_seconds - self.start_seconds) / self.time_scale

    def events(self, slots: tuple[str, ...], horizon_seconds: float) -> list[SpotEvent]:
        if isinstance(self.trace, ClusterEventTrace):
            found = self._cluster_events(slots)
        else:
            found = self._availability_events(slots)
        return sorted(e for e in found if 0 <= e.at_seconds <= horizon_seconds)

    def _availability_events(self, slots: tuple[str, ...]) -> list[SpotEvent]:
        found = []
        counts, times = self.trace.available, self.trace.offsets_seconds
        for before, after, at in zip(counts, counts[1:], times[1:], strict=False):
            if before > 0 and after == 0:
                found += [SpotEvent(self._at(at), SpotEventKind.PREEMPT, slot, self.notice_seconds) for slot in slots]
            elif before == 0 and after > 0:
                found += [SpotEvent(self._at(at), SpotEventKind.CAPACITY, slot) for slot in slots]
        return found

    def _cluster_events(self, slots: tuple[str, ...]) -> list[SpotEvent]:
        """The trace's nodes map onto the slots in order of first appearance; other nodes are ignored."""
        mapping: dict[str, str] = {}
        found = []
        for event in self.trace.events:
            if event.node not in mapping and len(mapping) < len(slots):
                mapping[event.node] = slots[len(mapping)]
            slot = mapping.get(event.node)
            if slot is None:
                continue
            if event.kind == "remove":
                found.append(SpotEvent(self._at(event.at_seconds), SpotEventKind.PREEMPT, slot, self.notice_seconds))
            elif self._at(event.at_seconds) > 0:  # the initial adds are the cluster's start, not a replacement
                found.append(SpotEvent(self._at(event.at_seconds), SpotEventKind.CAPACITY, slot))
        return found


class RateSchedule(PreemptionSource, name="rates", default=True):
    """Each node is reclaimed at ``preemptions_per_hour`` (Poisson); capacity returns after a mean wait."""

    def __init__(
        self,
        preemptions_per_hour: float,
        mean_wait_seconds: float = 0.0,
        seed: int = 0,
        time_scale: float = 1.0,
        notice_seconds: float = EC2_NOTICE_SECONDS,
    ) -> None:
        self.rate_per_second = preemptions_per_hour / 3600.0 * time_scale
        self.mean_wait = mean_wait_seconds / time_scale
        self.seed, self.notice_seconds = seed, notice_seconds / time_scale

    def events(self, slots: tuple[str, ...], horizon_seconds: float) -> list[SpotEvent]:
        if self.rate_per_second <= 0:
            return []
        found = []
        for index, slot in enumerate(slots):
            draw = random.Random(f"{self.seed}:{index}")  # noqa: S311 - a reproducible simulation, not security
            now = 0.0
            while True:
                now += draw.expovariate(self.rate_per_second)
                if now > horizon_seconds:
                    break
                found.append(SpotEvent(now, SpotEventKind.PREEMPT, slot, self.notice_seconds))
                now += draw.expovariate(1.0 / self.mean_wait) if self.mean_wait > 0 else 0.0
                found.append(SpotEvent(now, SpotEventKind.CAPACITY, slot))
        return sorted(e for e in found if e.at_seconds <= horizon_seconds)
