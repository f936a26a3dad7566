"""What happened to one training or endpoint, as lines a person reads in order: ``sskai logs``.

A training's lines are its log entries and its timeline events (nodes, notices, checkpoints, the spot
policy's decisions); an endpoint's are its log entries (deploys, restarts, stops, key rotations).
Read from the store only, so the same lines come whichever machine ran the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sskai.store.metadata import Endpoint, LogEntry, MetadataStore, Training, TrainingEvent


@dataclass(frozen=True)
class ActivityLine:
    at: datetime
    level: str
    text: str

    def render(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.level:<7} {self.text}"


def _event_text(event: TrainingEvent) -> str:
    detail: dict[str, Any] = event.detail or {}
    shown = ", ".join(f"{k}={v}" for k, v in detail.items() if k in ("reason", "step", "trigger", "pool", "region"))
    where = f" [{event.slot}]" if event.slot else ""
    return f"{event.kind.replace('_', ' ')}{where}" + (f": {shown}" if shown else "")


def activity(metadata: MetadataStore, record: Training | Endpoint) -> list[ActivityLine]:
    """Every line about ``record``, oldest first."""
    lines = [
        ActivityLine(entry.created_at, str(entry.level).lower(), entry.message)
        for entry in metadata.list(LogEntry, resource_id=record.id)
    ]
    if isinstance(record, Training):
        lines += [
            ActivityLine(event.at, "event", _event_text(event))
            for event in metadata.list(TrainingEvent, training_id=record.id)
        ]
    return sorted(lines, key=lambda line: line.at)
