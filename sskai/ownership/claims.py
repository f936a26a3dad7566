"""Claiming a record for the process working on it, so that one left behind by a dead process is noticed.

A stage marks its record ``running`` (or ``pending``) and claims it for the current process; it
releases the claim when it ends, however it ends. If the process is killed first, the claim stays:
the next run of any stage on this host, or the monitor, finds the process gone and fails the record
(:mod:`sskai.ownership.reaper`), instead of leaving it ``running`` forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sskai.kinds import Status
from sskai.ownership.reaper import fail_unfinished
from sskai.processes import ProcessIdentity
from sskai.store.metadata import Base, ProcessClaim
from sskai.store.stores import Stores


@contextmanager
def claimed(stores: Stores, record: Base, what: str) -> Iterator[None]:
    """Claim ``record`` while the block runs; Ctrl-C inside it marks the record failed, then goes on."""
    claim = ProcessClaim(
        owner=record.owner, record_table=record.__tablename__, record_id=record.id, status=Status.RUNNING
    )
    claim.owned_by(ProcessIdentity.current())
    stores.metadata.add(claim)
    try:
        yield
    except KeyboardInterrupt:
        fail_unfinished(
            stores, record.__tablename__, record.id, f"interrupted: {what} was stopped (Ctrl-C) before it finished"
        )
        raise
    finally:
        stores.metadata.delete(ProcessClaim, claim.id)
