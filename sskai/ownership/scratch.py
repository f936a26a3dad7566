"""Scratch folders that name their owner, so a folder left by a killed process is found and removed.

Every folder sskai makes under the system's temporary folder (a cluster's, a profile's, an
upload's) holds ``owner.json``: the host, pid and start time of the process that made it. The
next run reaps every such folder whose owner is gone: it kills what still runs from it (every
process sskai starts there names the folder on its command line) and removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from sskai.processes import ProcessIdentity

OWNER_FILE = "owner.json"
PREFIXES = ("sskai-ray-", "sskai-profile-", "sskai-upload-", "sskai-fetch-", "sskai-evaluate-")


def scratch_root() -> Path:
    """Where every scratch folder lives (short: Ray's socket paths must fit in 107 bytes)."""
    return Path(tempfile.gettempdir())


@dataclass(frozen=True)
class ScratchOwner:
    """Written when a scratch folder is made, removed with it: one left behind marks a dead run's folder."""

    owner_host: str
    owner_pid: int
    owner_start_ticks: int | None
    scratch: str

    @classmethod
    def for_current_process(cls, scratch: Path) -> ScratchOwner:
        me = ProcessIdentity.current()
        return cls(owner_host=me.host, owner_pid=me.pid, owner_start_ticks=me.start_ticks, scratch=str(scratch))

    def owner_running(self) -> bool:
        return ProcessIdentity(self.owner_host, self.owner_pid, self.owner_start_ticks).is_running()

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self)))


def make_owned(prefix: str) -> Path:
    """A new folder under :func:`scratch_root` that names this process as its owner."""
    if not prefix.startswith(PREFIXES):
        raise ValueError(f"scratch prefix {prefix!r} is not one the reaper looks for {PREFIXES}")
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root()))
    ScratchOwner.for_current_process(folder).write(folder / OWNER_FILE)
    return folder


@contextlib.contextmanager
def owned_scratch(prefix: str) -> Iterator[Path]:
    """:func:`make_owned`, reaped (processes and files) on the way out."""
    folder = make_owned(prefix)
    try:
        yield folder
    finally:
        reap_scratch(folder)


def processes_under(scratch: Path) -> list[int]:
    """Pids of processes whose command line names ``scratch`` (every process sskai starts there does)."""
    needle = str(scratch).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def reap_scratch(scratch: Path) -> int:
    """Kill every process still running from ``scratch`` and remove it; returns how many were killed."""
    pids = processes_under(scratch)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(scratch, ignore_errors=True)
    return len(pids)


def reap_abandoned(prefixes: tuple[str, ...] = PREFIXES, root: Path | None = None) -> list[str]:
    """Reap every scratch folder with one of ``prefixes`` whose owner is gone; returns the folders.

    A live process's folder is never touched, whatever ``SSKAI_HOME`` either process uses.
    """
    reaped = []
    for prefix in prefixes:
        for owner_file in sorted((root or scratch_root()).glob(f"{prefix}*/{OWNER_FILE}")):
            try:
                record = ScratchOwner(**json.loads(owner_file.read_text()))
            except (OSError, ValueError, TypeError):
                continue  # being written by a process that is starting now
            if record.owner_running():
                continue
            reap_scratch(owner_file.parent)
            reaped.append(str(owner_file.parent))
    return reaped
