"""Attempts of a training: each run by one process is recorded, with the process that ran it.

While an attempt runs, its process claims it (:mod:`sskai.ownership.claims`): a training left
``running`` by a process that no longer exists (a killed CLI, a lost worker machine) is failed with
what to do by the reaper, on the next run of any stage on this host or by the monitor.
"""

from __future__ import annotations

from sskai.errors import TrainingFailed
from sskai.kinds import ResourceKind, Status
from sskai.ownership.reaper import RESUME
from sskai.processes import ProcessIdentity
from sskai.store.metadata import Training, TrainingAttempt, utcnow
from sskai.store.stores import Stores


def resume_hint(training_id: str) -> str:
    return RESUME.format(training_id=training_id)


def latest_attempt(stores: Stores, training_id: str) -> TrainingAttempt | None:
    return stores.metadata.latest(TrainingAttempt, training_id=training_id)


def check_can_run(stores: Stores, training: Training) -> None:
    """Refuse a finished training, and one that a live process is running now."""
    if training.status == Status.SUCCEEDED:
        raise TrainingFailed(f"training {training.id} already finished; start a new one to train again")
    attempt = latest_attempt(stores, training.id)
    if training.status == Status.RUNNING and attempt is not None and attempt.process.is_running():
        raise TrainingFailed(
            f"training {training.id} is running now (attempt {attempt.number}, pid {attempt.pid} on {attempt.host})"
        )


def start_attempt(stores: Stores, training: Training) -> TrainingAttempt:
    previous = latest_attempt(stores, training.id)
    me = ProcessIdentity.current()
    attempt = TrainingAttempt(
        owner=training.owner,
        training_id=training.id,
        number=(previous.number + 1) if previous else 1,
        status=Status.RUNNING,
    )
    attempt.owned_by(me)
    stores.metadata.add(attempt)
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
