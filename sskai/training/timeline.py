"""A training's timeline: its events, and the figures read from them (work lost to rework, time waiting).

Work lost to a node loss is the training done since the newest checkpoint committed before it:
every worker of the group does it again after the restart. Waiting is the time the run had fewer
worker nodes than it asked for (capacity gone, or a replacement still provisioning).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from sskai.clusters.base import EndReason
from sskai.kinds import EventKind
from sskai.store.metadata import MetadataStore, TrainingEvent, utcnow
from sskai.training.report import CheckpointTrigger


def record_event(
    metadata: MetadataStore,
    owner: str,
    training_id: str,
    kind: EventKind,
    *,
    attempt: int | None = None,
    slot: str | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> TrainingEvent:
    return metadata.add(
        TrainingEvent(
            owner=owner,
            training_id=training_id,
            attempt=attempt,
            at=at or utcnow(),
            kind=kind,
            slot=slot,
            detail=detail,
        )
    )


def training_events(metadata: MetadataStore, training_id: str) -> list[TrainingEvent]:
    return sorted(metadata.list(TrainingEvent, training_id=training_id), key=lambda e: e.at)


@dataclass(frozen=True)
class LostWork:
    """One node loss and the training it threw away."""

    at: datetime
    slot: str | None
    announced: bool
    lost_seconds: float  # wall time since the newest checkpoint before the loss
    workers: int  # how many workers redo it

    @property
    def worker_seconds(self) -> float:
        return self.lost_seconds * self.workers


def lost_work(events: list[TrainingEvent], workers: int) -> list[LostWork]:
    """Each worker node lost while the run trained, with the training it threw away.

    What is lost runs from the state the group resumed from (the checkpoint's snapshot time) to
    the loss. After a just-in-time checkpoint on a notice the workers wait for the reclaim without
    training, so such a loss throws nothing away. Without a later resume (the attempt ended) the
    newest checkpoint before the loss stands in.
    """
    snapshots: dict[int, tuple[float | None, str]] = {}  # step -> (snapshot time, trigger)
    newest: int | None = None
    started: datetime | None = None
    pending: list[tuple[TrainingEvent, bool]] = []  # losses waiting for the resume that tells what was kept
    noticed: set[str] = set()
    found: list[LostWork] = []

    def settle(step: int | None) -> None:
        for loss, announced in pending:
            snapshot_at, trigger = snapshots.get(step, (None, "")) if step is not None else (None, "")
            if trigger == CheckpointTrigger.NOTICE:
                lost = 0.0
            else:
                since = datetime.fromtimestamp(snapshot_at, tz=loss.at.tzinfo) if snapshot_at else started
                lost = max(0.0, (loss.at - since).total_seconds()) if since else 0.0
            found.append(LostWork(loss.at, loss.slot, announced, lost, workers))
        pending.clear()

    for event in events:
        if event.kind == EventKind.ATTEMPT_STARTED:
            started = event.at
        elif event.kind == EventKind.CHECKPOINT and event.detail.get("step") is not None:
            step = int(event.detail["step"])
            snapshots[step] = (event.detail.get("snapshot_at"), str(event.detail.get("trigger", "")))
            newest = step
        elif event.kind == EventKind.RESUMED:
            settle(int(event.detail.get("from_step") or 0) or None)
        elif event.kind == EventKind.NOTICE and event.slot:
            noticed.add(event.slot)
        elif (
            event.kind == EventKind.NODE_DOWN
            and event.detail.get("reason") == EndReason.PREEMPTED
            and event.slot != "head"
        ):
            if not pending:  # a second loss before the group resumed throws away nothing more
                pending.append((event, event.slot in noticed))
            noticed.discard(event.slot or "")
    settle(newest)
    return found


def waiting_seconds(events: list[TrainingEvent], worker_slots: int, until: datetime | None = None) -> float:
    """Seconds during which fewer worker nodes were up than the plan has (the run could not train at full size)."""
    up: set[str] = set()
    short_since: datetime | None = None
    full_once = False  # nodes joining one by one at the start is not waiting for capacity
    total = 0.0
    for event in events:
        if event.slot is None or event.slot == "head" or event.kind not in (EventKind.NODE_UP, EventKind.NODE_DOWN):
            continue
        if event.kind == EventKind.NODE_UP:
            up.add(event.slot)
        elif event.detail.get("reason") == EndReason.PREEMPTED:
            up.discard(event.slot)
        else:
            continue  # stopped at the end of the attempt: not waiting
        full_once = full_once or len(up) >= worker_slots
        if full_once and len(up) < worker_slots and short_since is None:
            short_since = event.at
        elif len(up) >= worker_slots and short_since is not None:
            total += (event.at - short_since).total_seconds()
            short_since = None
    if short_since is not None:
        end = until or (events[-1].at if events else short_since)
        total += max(0.0, (end - short_since).total_seconds())
    return total


# What the timeline plot marks on top of the node bars, and how it names them.
MARKS = {
    EventKind.NOTICE: "interruption notice",
    EventKind.CHECKPOINT: "checkpoint",
    EventKind.RESTART: "worker group restart",
    EventKind.RESUMED: "training (re)started",
    EventKind.CAPACITY_LOST: "capacity gone",
    EventKind.CAPACITY_BACK: "capacity back",
    EventKind.DECISION: "decision",
}


def timeline_frames(events: list[TrainingEvent]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per node's life: slot, start, end, how it ended; one row per marked event) for the plot."""
    nodes, marks, open_runs = [], [], {}
    last = events[-1].at if events else utcnow()
    for event in events:
        if event.kind == EventKind.NODE_UP and event.slot:
            open_runs[(event.slot, event.detail.get("node_id"))] = event
        elif event.kind == EventKind.NODE_DOWN and event.slot:
            up = open_runs.pop((event.slot, event.detail.get("node_id")), None)
            if up is not None:
                nodes.append(_node_row(up, event.at, str(event.detail.get("reason", EndReason.STOPPED))))
        elif event.kind in MARKS:
            label = MARKS[EventKind(event.kind)]
            if event.kind == EventKind.CHECKPOINT:
                label = f"checkpoint ({event.detail.get('trigger', 'epoch')})"
            elif event.kind == EventKind.DECISION:
                label = f"decision: {event.detail.get('where', '')}"
            elif event.kind in (EventKind.CAPACITY_LOST, EventKind.CAPACITY_BACK) and event.detail.get("pool"):
                label = f"{label}: {event.detail['pool']}"
            marks.append(
                {
                    "at": event.at,
                    "slot": event.slot or "run",
                    "event": label,
                    "reason": str(event.detail.get("reason", "")),
                    "attempt": event.attempt,
                }
            )
    nodes += [_node_row(up, last, "running") for up in open_runs.values()]
    node_columns = ["slot", "start", "end", "ended", "instance_type", "usd_per_hour", "attempt"]
    return pd.DataFrame(nodes, columns=node_columns), pd.DataFrame(
        marks, columns=["at", "slot", "event", "reason", "attempt"]
    )


def _node_row(up: TrainingEvent, end: datetime, ended: str) -> dict[str, Any]:
    return {
        "slot": up.slot,
        "start": up.at,
        "end": end,
        "ended": ended,
        "instance_type": up.detail.get("instance_type"),
        "usd_per_hour": up.detail.get("usd_per_hour"),
        "attempt": up.attempt,
    }


@dataclass(frozen=True)
class PolicyDecision:
    """One decision of the training's spot policy, as its timeline recorded it."""

    at: datetime
    decision: str  # LaunchSpot, LaunchOnDemand, Wait, Keep
    where: str  # "spot g4dn.xlarge in us-west-2", "on demand", "waiting"
    reason: str


def policy_decisions(events: list[TrainingEvent]) -> list[PolicyDecision]:
    return [
        PolicyDecision(e.at, str(e.detail.get("decision")), str(e.detail.get("where", "")), str(e.detail["reason"]))
        for e in events
        if e.kind == EventKind.DECISION
    ]
