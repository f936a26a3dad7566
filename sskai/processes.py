"""Which process is doing a job, recorded so that another process can tell later whether it still is.

A pid alone is not enough: pids are reused. On Linux the process's start time (``/proc/PID/stat``,
field 22) pins it down; elsewhere the pid is all there is.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


def is_alive(pid: int | None) -> bool:
    """Does a process with this pid exist (whoever owns it)?"""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # field 22; fields after the command name start at 3


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    pid: int
    start_ticks: int | None

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity:
        """A process on this host, by pid (recorded with its start time)."""
        return cls(host=socket.gethostname(), pid=pid, start_ticks=_start_ticks(pid))

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls.of(os.getpid())

    @property
    def on_this_host(self) -> bool:
        return self.host == socket.gethostname()

    def is_running(self) -> bool:
        """True while this very process runs; only answerable on its own host (elsewhere: assumed running)."""
        if not self.on_this_host:
            return True
        if not is_alive(self.pid):
            return False
        return self.start_ticks is None or _start_ticks(self.pid) == self.start_ticks
