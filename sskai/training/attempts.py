"""Attempts of a training: each run by one process is recorded, and a run whose process died is noticed.

A training left ``running`` by a process that no longer exists (a killed CLI, a lost worker
machine) is marked failed with what to do, by the next training run on this host or by the monitor.
"""

from __future__ import annotations

from sskai.errors import TrainingFailed
from sskai.kinds import ResourceKind, Status
from sskai.processes import ProcessIdentity
from sskai.store.metadata import Training, TrainingAttempt, utcnow
from sskai.store.stores import Stores


def resume_hint(training_id: str) -> str:
    return f"resume it with `sskai train --resume {training_id}`"


def _identity(attempt: TrainingAttempt) -> ProcessIdentity:
    return ProcessIdentity(host=attempt.host, pid=attempt.pid, start_ticks=attempt.process_start_ticks)


def latest_attempt(stores: Stores, training_id: str) -> TrainingAttempt | None:
    return stores.metadata.latest(TrainingAttempt, training_id=training_id)


def check_can_run(stores: Stores, training: Training) -> None:
    """Refuse a finished training, and one that a live process is running now."""
    if training.status == Status.SUCCEEDED:
        raise TrainingFailed(f"training {training.id} already finished; start a new one to train again")
    attempt = latest_attempt(stores, training.id)
    if training.status == Status.RUNNING and attempt is not None and _identity(attempt).is_running():
        raise TrainingFailed(
            f"training {training.id} is running now (attempt {attempt.number}, pid {attempt.pid} on {attempt.host})"
        )


def start_attempt(stores: Stores, training: Training) -> TrainingAttempt:
    previous = latest_attempt(stores, training.id)
    me = ProcessIdentity.current()
    attempt = stores.metadata.add(
        TrainingAttempt(
            owner=training.owner,
            training_id=training.id,
            number=(previous.number + 1) if previous else 1,
            host=me.host,
            pid=me.pid,
            process_start_ticks=me.start_ticks,
            status=Status.RUNNING,
        )
    )
    verb = "resumed" if previous else "started"
    stores.metadata.log(
        training.owner,
        ResourceKind.TRAINING,
        training.id,
        f"attempt {attempt.number} {verb} by pid {me.pid} on {me.host}",
    )
    return attempt


def finish_attempt(
    stores: Stores, attempt: TrainingAttempt, status: Status, reason: str | None = None, **progress: int | None
) -> TrainingAttempt:
    return stores.metadata.update(
        TrainingAttempt, attempt.id, status=status, status_reason=reason, finished_at=utcnow(), **progress
    )


def reap_abandoned(stores: Stores) -> list[Training]:
    """Mark failed every running training of this owner whose attempt's process on this host is gone."""
    reaped = []
    for training in stores.metadata.list(Training, owner=stores.settings.owner, status=Status.RUNNING):
        attempt = latest_attempt(stores, training.id)
        if attempt is None or _identity(attempt).is_running():
            continue
        reason = (
            f"interrupted: the process that ran attempt {attempt.number} (pid {attempt.pid} on {attempt.host}) "
            f"is gone; {resume_hint(training.id)}"
        )
        finish_attempt(stores, attempt, Status.FAILED, reason)
        reaped.append(
            stores.metadata.update(
                Training, training.id, status=Status.FAILED, status_reason=reason, finished_at=utcnow()
            )
        )
        stores.metadata.log(training.owner, ResourceKind.TRAINING, training.id, reason, "ERROR")
    return reaped
