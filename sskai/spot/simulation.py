"""What the preemption simulator plays against a local training: which schedule, and how fast.

Times are real-world seconds (a 120 s EC2 notice, a 60 s provisioning delay), divided by
``time_scale`` when played, so a trace hour can pass in a minute.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sskai.election.cost_model import interruptions_per_hour
from sskai.spot.schedule import (
    EC2_NOTICE_SECONDS,
    FixedSchedule,
    PreemptionSource,
    RateSchedule,
    SpotEvent,
    SpotEventKind,
    TraceSchedule,
)
from sskai.spot.simulator import PROVISIONING_SECONDS
from sskai.traces.readers import SHIPPED, read_availability_folder, read_cluster_events

# The shipped traces a simulation can replay, by name (see sskai/traces/data/PROVENANCE.md).
TRACES = {
    "p3-cluster": lambda: read_cluster_events(SHIPPED.p3_cluster),
    "g4dn-cluster": lambda: read_cluster_events(SHIPPED.g4dn_cluster),
    **{
        f"v100-{zone}": (lambda zone=zone: read_availability_folder(SHIPPED.v100_zones)[f"{zone}_v100_1"])
        for zone in ("us-east-1a", "us-east-1c", "us-east-1d", "us-east-1f", "us-west-2a", "us-west-2b")
    },
}


class ScheduledPreemption(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at_seconds: float = Field(ge=0)
    slot: str
    notice_seconds: float = Field(EC2_NOTICE_SECONDS, ge=0, description="0: killed without notice")
    capacity_back_after_seconds: float | None = Field(0.0, ge=0, description="None: capacity never comes back")


class SpotSimulation(BaseModel):
    """Preempt the local cluster's spot workers as a cloud would: from a fixed list, a real trace, or rates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: Literal["fixed", "trace", "rates"]
    time_scale: float = Field(1.0, gt=0, description="Real-world seconds per simulated second.")
    provisioning_seconds: float = Field(PROVISIONING_SECONDS, ge=0, description="A replacement node's start delay.")
    notice_seconds: float = Field(EC2_NOTICE_SECONDS, ge=0, description="Warning before a reclaim (trace, rates).")
    preemptions: tuple[ScheduledPreemption, ...] = ()
    trace: Literal[tuple(TRACES)] | None = None  # type: ignore[valid-type]
    trace_start_seconds: float = Field(0.0, ge=0)
    preemptions_per_hour: float = Field(0.0, ge=0)
    mean_wait_seconds: float = Field(0.0, ge=0)
    seed: int = 0

    def with_rates_of(self, interruption_frequency: str | None) -> SpotSimulation:
        """A ``rates`` simulation without a rate takes the elected pool's advertised interruption band."""
        if self.source != "rates" or self.preemptions_per_hour > 0:
            return self
        return self.model_copy(update={"preemptions_per_hour": interruptions_per_hour(interruption_frequency)})

    def schedule(self) -> PreemptionSource:
        if self.source == "fixed":
            return FixedSchedule(self._fixed_events())
        if self.source == "trace":
            if self.trace is None:
                raise ValueError("a trace simulation names its trace")
            return TraceSchedule(TRACES[self.trace](), self.trace_start_seconds, self.time_scale, self.notice_seconds)
        return RateSchedule(
            self.preemptions_per_hour, self.mean_wait_seconds, self.seed, self.time_scale, self.notice_seconds
        )

    def _fixed_events(self) -> list[SpotEvent]:
        events = []
        for item in self.preemptions:
            at = item.at_seconds / self.time_scale
            events.append(SpotEvent(at, SpotEventKind.PREEMPT, item.slot, item.notice_seconds / self.time_scale))
            if item.capacity_back_after_seconds is not None:
                back = at + (item.notice_seconds + item.capacity_back_after_seconds) / self.time_scale
                events.append(SpotEvent(back, SpotEventKind.CAPACITY, item.slot))
        return events

    @property
    def scaled_provisioning_seconds(self) -> float:
        return self.provisioning_seconds / self.time_scale
