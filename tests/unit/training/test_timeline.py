"""Spot training on a real multi-node local Ray cluster whose worker nodes are drained, killed and replaced.

Each training runs in a process of its own (``tests/spot_run.py``), which starts its own cluster
of separate ``ray start`` nodes: the tests kill nodes, the whole cluster, and that process itself."""

from __future__ import annotations

import pytest

from sskai.kinds import EventKind
from sskai.training.timeline import lost_work, waiting_seconds


def test_lost_work_counts_from_the_state_the_group_resumed_from() -> None:
    """Fast: the rework figure from a hand-written timeline."""
    from datetime import UTC, datetime, timedelta

    from sskai.store.metadata import TrainingEvent

    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def event(seconds: float, kind: EventKind, slot: str | None = None, **detail) -> TrainingEvent:
        return TrainingEvent(at=t0 + timedelta(seconds=seconds), kind=kind, slot=slot, detail=detail)

    snapshot = (t0 + timedelta(seconds=10)).timestamp()
    events = [
        event(0, EventKind.ATTEMPT_STARTED),
        event(0, EventKind.NODE_UP, "worker-0"),
        event(0, EventKind.NODE_UP, "worker-1"),
        event(12, EventKind.CHECKPOINT, step=20, trigger="interval", snapshot_at=snapshot),
        event(16, EventKind.NODE_DOWN, "worker-1", reason="preempted"),
        event(16.5, EventKind.NODE_DOWN, "worker-0", reason="preempted"),  # the group is down already: no more lost
        event(20, EventKind.NODE_UP, "worker-1"),
        event(21, EventKind.NODE_UP, "worker-0"),
        event(25, EventKind.RESUMED, from_step=20, first_step_at=(t0 + timedelta(seconds=25)).timestamp()),
    ]
    [loss] = lost_work(events, workers=2)
    assert loss.lost_seconds == pytest.approx(6.0) and loss.worker_seconds == pytest.approx(12.0)
    assert waiting_seconds(events, worker_slots=2) == pytest.approx(5.0)
