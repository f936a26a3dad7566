"""The one reaper of abandoned work: what a dead process left unfinished is failed, with what to do next.

Every service calls :func:`reap_abandoned` before it starts work, and so does the monitor. It reaps
two things, each recording its owner: scratch folders (a profile's sandbox, an unpacked upload, a
local Ray cluster: :mod:`sskai.ownership.scratch`) and records claimed by a process
(:mod:`sskai.ownership.claims`). What each kind of record becomes, and what its owner is told, is
the data in ``ABANDONED``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sskai.kinds import LogLevel, ResourceKind, Status
from sskai.ownership import scratch
from sskai.store.metadata import Base, Endpoint, ProcessClaim, Profile, Training, TrainingAttempt, utcnow
from sskai.store.stores import Stores

UNFINISHED = (Status.RUNNING, Status.PENDING)
RESUME = "resume it with `sskai train --resume {training_id}`"


@dataclass(frozen=True)
class Abandoned:
    """How a claimed record left unfinished is failed, and the words its owner reads."""

    model: type[Base]
    resource: ResourceKind
    reason: str  # formatted with pid, host and the record's own fields
    parent: tuple[type[Base], str] | None = None  # (its record, the column naming it): failed with it

    def says(self, record: Base, claim: ProcessClaim) -> str:
        fields = {column.name: getattr(record, column.name) for column in record.__table__.columns}
        return self.reason.format(**{**fields, "pid": claim.pid, "host": claim.host})


ABANDONED: dict[str, Abandoned] = {
    Profile.__tablename__: Abandoned(
        Profile,
        ResourceKind.PROFILE,
        "abandoned: the process working on it (pid {pid} on {host}) ended before it finished "
        "(killed or interrupted); run it again",
    ),
    Endpoint.__tablename__: Abandoned(
        Endpoint,
        ResourceKind.ENDPOINT,
        "abandoned: the process working on it (pid {pid} on {host}) ended before it finished "
        "(killed or interrupted); run it again",
    ),
    TrainingAttempt.__tablename__: Abandoned(
        TrainingAttempt,
        ResourceKind.TRAINING,
        "interrupted: the process that ran attempt {number} (pid {pid} on {host}) is gone; " + RESUME,
        parent=(Training, "training_id"),
    ),
}


@dataclass(frozen=True)
class Reaped:
    """One thing the reaper cleaned up: a record it failed (with the reason) or a scratch folder it removed."""

    what: str  # the record's table ("profiles", "trainings", ...) or "scratch folder"
    id: str
    reason: str


def reap_abandoned(stores: Stores) -> list[Reaped]:
    """Fail every unfinished record whose claiming process on this host is gone; remove dead processes' folders."""
    reaped = [Reaped("scratch folder", folder, "its owner process is gone") for folder in scratch.reap_abandoned()]
    for claim in stores.metadata.list(ProcessClaim, owner=stores.settings.owner):
        if claim.process.is_running():
            continue
        record = _record(stores, claim)
        if record is not None:
            reason = ABANDONED[claim.record_table].says(record, claim)
            reaped += fail_unfinished(stores, claim.record_table, claim.record_id, reason)
        stores.metadata.delete(ProcessClaim, claim.id)
    return reaped


def _record(stores: Stores, claim: ProcessClaim) -> Base | None:
    kind = ABANDONED.get(claim.record_table)
    found = stores.metadata.list(kind.model, id=claim.record_id) if kind else []
    return found[0] if found else None


def fail_unfinished(stores: Stores, table: str, record_id: str, reason: str) -> list[Reaped]:
    """Fail the record, and its parent, where still unfinished; the reason is logged once, on the topmost."""
    kind = ABANDONED[table]
    record = stores.metadata.get(kind.model, record_id)
    if record.status not in UNFINISHED:
        return []
    failing: list[Base] = [record]
    told = record
    if kind.parent is not None:
        parent_model, column = kind.parent
        told = stores.metadata.get(parent_model, getattr(record, column))
        if told.status in UNFINISHED:
            failing.append(told)
    for each in failing:
        values = {"finished_at": utcnow()} if "finished_at" in each.__table__.columns else {}
        stores.metadata.update(type(each), each.id, status=Status.FAILED, status_reason=reason, **values)
    stores.metadata.log(told.owner, kind.resource, told.id, reason, LogLevel.ERROR)
    return [Reaped(each.__tablename__, each.id, reason) for each in failing]
