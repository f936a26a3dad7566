"""Follow a pipeline run in the metadata store and draw it as rich progress bars.

The flow runs in a worker thread; this reads only the stores, so it shows the same truth the
dashboard shows, whichever process does the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sskai.kinds import Status
from sskai.store.metadata import Endpoint, Model, Profile, RecommendationRecord, Training, utcnow
from sskai.store.stores import Stores

STAGES = ("upload", "profile", "recommend", "train", "deploy", "monitor")


def _since(stores: Stores, kind: Any, started: datetime) -> list[Any]:
    rows = stores.metadata.list(kind, owner=stores.settings.owner)
    return [r for r in rows if r.created_at >= started]


def stage_fractions(stores: Stores, started: datetime) -> dict[str, float]:
    """How far each stage has come (0..1) for records created since ``started``."""
    models = stores.metadata.list(Model, owner=stores.settings.owner)
    profiles = _since(stores, Profile, started)
    trainings = _since(stores, Training, started)
    endpoints = _since(stores, Endpoint, started)
    return {
        "upload": 1.0 if models and (profiles or trainings) else 0.0,
        "profile": 1.0 if any(p.status == Status.SUCCEEDED for p in profiles) else 0.0,
        "recommend": 1.0 if _since(stores, RecommendationRecord, started) else 0.0,
        "train": max((t.progress if t.status != Status.SUCCEEDED else 1.0 for t in trainings), default=0.0),
        "deploy": 1.0 if any(e.status == Status.READY for e in endpoints) else 0.0,
    }


def run_with_progress(
    work: Callable[[], Any], stores: Stores, console: Console, stages: tuple[str, ...] = STAGES
) -> Any:
    """Run ``work`` in a thread while drawing a bar per stage; re-raise its error."""
    started = utcnow()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bars = {stage: progress.add_task(stage, total=1.0) for stage in stages}
        thread.start()
        while thread.is_alive():
            thread.join(1.0)
            for stage, fraction in stage_fractions(stores, started).items():
                if stage in bars:
                    progress.update(bars[stage], completed=fraction)
        if "error" not in outcome:
            for bar in bars.values():
                progress.update(bar, completed=1.0)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
