"""Which process is doing a job, recorded so that another process can tell later whether it still is.

A pid alone is not enough: pids are reused. On Linux the process's start time (``/proc/PID/stat``,
field 22, in clock ticks as records have always stored it) pins it down; elsewhere the pid is all
there is. Everything else about processes goes through psutil, and every wait through :func:`poll`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psutil
from tenacity import RetryError, Retrying, retry_if_exception_type, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")


def poll(
    probe: Callable[[], T | None],
    timeout_seconds: float,
    interval_seconds: float = 0.2,
    not_yet: tuple[type[BaseException], ...] = (),
) -> T | None:
    """``probe``'s first answer that is not None, asked every ``interval_seconds``; None once ``timeout_seconds`` pass.

    An exception in ``not_yet`` (a refused connection while a server starts) means "ask again";
    any other ends the wait at once (a process that exited will never answer).
    """
    retrying = Retrying(
        stop=stop_after_delay(timeout_seconds),
        wait=wait_fixed(interval_seconds),
        retry=retry_if_result(lambda answer: answer is None) | retry_if_exception_type(not_yet),
    )
    try:
        return retrying(probe)
    except RetryError:
        return None


def is_alive(pid: int | None) -> bool:
    """Does a process with this pid exist and run (whoever owns it)? A zombie has ended: it is not alive."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not is_zombie(pid)


def is_zombie(pid: int) -> bool:
    """Ended, and waiting for its parent to collect it."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def wait_gone(pid: int, timeout_seconds: float) -> bool:
    """Wait until ``pid`` has ended: collected if it is this process's child, else gone or a zombie.

    True if it ended within ``timeout_seconds``.
    """

    def ended() -> bool | None:
        try:
            return True if os.waitpid(pid, os.WNOHANG)[0] else None
        except ChildProcessError:
            return None if is_alive(pid) else True

    return poll(ended, timeout_seconds, interval_seconds=0.1) is not None


def log_tail(path: Path, lines: int = 8) -> str:
    """The last ``lines`` lines of a process's log, for an error message ("(no log)" if there is none)."""
    try:
        return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


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


def kill_session(process: subprocess.Popen[bytes] | int) -> None:
    """SIGKILL a session leader and every process of its session at once: no drain, no goodbye.

    A whole session, not a process group: Ray puts each worker in a group of its own, and user
    code may call ``setpgid`` itself, but neither leaves the session it was started in.
    """
    leader = process if isinstance(process, int) else process.pid
    for pid in [*session_members(leader), leader]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    if not isinstance(process, int):
        process.wait()


def kill_tree(leader: int) -> None:
    """SIGKILL ``leader`` and every descendant, stopping each first so that none forks away meanwhile.

    With the leader a child subreaper, a descendant that double-forks into a new session is still
    in its tree; so stop the leader (no new children), then stop and kill descendants until none
    are left, then the leader.
    """
    try:
        root = psutil.Process(leader)
        root.suspend()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return
    for _ in range(100):
        try:
            descendants = [process for process in root.children(recursive=True) if not _ended(process)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            break
        if not descendants:
            break
        for process in descendants:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                process.suspend()
        for process in descendants:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                process.kill()
        psutil.wait_procs(descendants, timeout=0.2)  # killed children of the stopped leader stay zombies
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        root.kill()


def _ended(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def processes_in(folder: Path) -> list[int]:
    """Pids of the processes whose current folder is ``folder`` or under it (not this process)."""
    found = []
    for process in psutil.process_iter():
        if process.pid == os.getpid():
            continue
        try:
            cwd = Path(process.cwd())
        except (psutil.Error, OSError):
            continue
        if cwd == folder or folder in cwd.parents:
            found.append(process.pid)
    return found


def session_members(session_id: int) -> list[int]:
    """Pids of the processes in session ``session_id``, other than its leader."""
    members = []
    for pid in psutil.pids():
        try:
            if pid != session_id and os.getsid(pid) == session_id:
                members.append(pid)
        except OSError:  # gone meanwhile
            continue
    return members
