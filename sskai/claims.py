"""Records a process is working on, so that one left behind by a dead process is noticed and failed.

A stage marks its record ``running`` (or ``pending``) and claims it for the current process; it
releases the claim when it ends, however it ends. If the process is killed first, the claim stays:
the next run of any stage on this host, or the monitor, finds the process gone and marks the record
failed with the reason, instead of leaving it ``running`` forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sskai import scratch
from sskai.kinds import ResourceKind, Status
from sskai.processes import ProcessIdentity
from sskai.store.metadata import Base, Endpoint, ProcessClaim, Profile
from sskai.store.stores import Stores

CLAIMABLE: dict[str, tuple[type[Base], ResourceKind]] = {
    Profile.__tablename__: (Profile, ResourceKind.PROFILE),
    Endpoint.__tablename__: (Endpoint, ResourceKind.ENDPOINT),
}
UNFINISHED = (Status.RUNNING, Status.PENDING)


@contextmanager
def claimed(stores: Stores, record: Base, what: str) -> Iterator[None]:
    """Claim ``record`` while the block runs; Ctrl-C inside it marks the record failed, then goes on."""
    me = ProcessIdentity.current()
    claim = stores.metadata.add(
        ProcessClaim(
            owner=record.owner,
            record_table=record.__tablename__,
            record_id=record.id,
            host=me.host,
            pid=me.pid,
            process_start_ticks=me.start_ticks,
            status=Status.RUNNING,
        )
    )
    try:
        yield
    except KeyboardInterrupt:
        _fail(stores, record.__tablename__, record.id, f"interrupted: {what} was stopped (Ctrl-C) before it finished")
        raise
    finally:
        stores.metadata.delete(ProcessClaim, claim.id)


def reap_abandoned(stores: Stores) -> list[str]:
    """Fail every unfinished record whose claiming process on this host is gone; returns their ids.

    Scratch folders that dead processes left (an unpacked bundle, a profiling sandbox) go too.
    """
    scratch.reap_abandoned(tuple(prefix for prefix in scratch.PREFIXES if prefix != "sskai-ray-"))
    reaped = []
    for claim in stores.metadata.list(ProcessClaim, owner=stores.settings.owner):
        identity = ProcessIdentity(claim.host, claim.pid, claim.process_start_ticks)
        if identity.is_running():
            continue
        reason = (
            f"abandoned: the process working on it (pid {claim.pid} on {claim.host}) ended before it finished "
            "(killed or interrupted); run it again"
        )
        if _fail(stores, claim.record_table, claim.record_id, reason):
            reaped.append(claim.record_id)
        stores.metadata.delete(ProcessClaim, claim.id)
    return reaped


def _fail(stores: Stores, table: str, record_id: str, reason: str) -> bool:
    kind, resource = CLAIMABLE[table]
    record = stores.metadata.get(kind, record_id)
    if record.status not in UNFINISHED:
        return False
    stores.metadata.set_status(kind, record_id, Status.FAILED, reason)
    stores.metadata.log(record.owner, resource, record_id, reason, "ERROR")
    return True
