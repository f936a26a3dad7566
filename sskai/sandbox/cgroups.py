"""A cgroup per sandbox, where this process may make one: a memory cap that counts what the process
really holds (not its address space) and a process-count cap that holds even for uid 0.

cgroup v2 (one tree) and v1 (a tree per controller) are both handled; where neither is writable
(not root, no delegation) the sandbox falls back to rlimits and says so.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Cgroups:
    """The folders of one sandbox's cgroup (one on v2, one per controller on v1)."""

    folders: tuple[Path, ...]
    v2: bool
    controls: tuple[str, ...]  # "memory", "pids": what these folders enforce

    def join(self, pid: int) -> None:
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid))

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process here for going over the memory cap."""
        for folder in self.folders:
            events = _read(folder / ("memory.events" if self.v2 else "memory.oom_control"))
            for line in events.splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill" and value.strip().isdigit() and int(value) > 0:
                    return True
            if not self.v2 and _read(folder / "memory.failcnt").strip() not in ("", "0"):
                return True
        return False

    def remove(self, timeout_seconds: float = 5.0) -> None:
        """Kill whatever is left inside and remove the folders, once the kernel has emptied them.

        A killed process stays in its cgroup until it has fully exited, and a cgroup with members
        cannot be removed: so wait for it to empty rather than leave the folder behind.
        """
        for folder in self.folders:
            _empty_and_remove(folder, timeout_seconds)


PREFIX = "sskai-sandbox-"


def _empty_and_remove(folder: Path, timeout_seconds: float) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while True:
        for pid in _read(folder / "cgroup.procs").split():
            with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                os.kill(int(pid), 9)
        try:
            folder.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def reap_empty(parents: list[Path], min_age_seconds: float = 60.0) -> int:
    """Remove sandbox cgroups under ``parents`` that no process is in (left by a platform process that died).

    Only old ones: a cgroup just made is empty until its launcher joins it.
    """
    removed = 0
    for parent in parents:
        for folder in parent.glob(f"{PREFIX}*"):
            try:
                old = folder.stat().st_mtime < time.time() - min_age_seconds
            except OSError:
                continue
            if old and not _read(folder / "cgroup.procs").split() and _empty_and_remove(folder, 0.0):
                removed += 1
    return removed


def create(name: str, memory_bytes: int | None, max_processes: int | None) -> Cgroups | None:
    """A cgroup named ``name`` under this process's own, with the caps set; None where none can be made."""
    if not (memory_bytes or max_processes):
        return None
    own = _own_cgroups()
    v2 = (ROOT / "cgroup.controllers").exists()
    if v2:
        reap_empty([ROOT / own.get("", "/").lstrip("/")])
    else:
        reap_empty(
            [ROOT / controller / own[controller].lstrip("/") for controller in ("memory", "pids") if controller in own]
        )
    folders: list[Path] = []
    try:
        if v2:
            folder = ROOT / own.get("", "/").lstrip("/") / name
            folder.mkdir()
            folders.append(folder)
            if memory_bytes:
                (folder / "memory.max").write_text(str(memory_bytes))
                (folder / "memory.swap.max").write_text("0")
            if max_processes:
                (folder / "pids.max").write_text(str(max_processes))
        else:
            for controller, limit, value in (
                ("memory", "memory.limit_in_bytes", memory_bytes),
                ("pids", "pids.max", max_processes),
            ):
                if not value or controller not in own:
                    continue
                folder = ROOT / controller / own[controller].lstrip("/") / name
                folder.mkdir()
                folders.append(folder)
                (folder / limit).write_text(str(value))
                if controller == "memory":
                    with contextlib.suppress(OSError):  # absent where swap accounting is off
                        (folder / "memory.memsw.limit_in_bytes").write_text(str(value))
    except OSError:
        Cgroups(tuple(folders), v2, ()).remove()
        return None
    if v2:
        controls = tuple(name for name, value in (("memory", memory_bytes), ("pids", max_processes)) if value)
    else:
        controls = tuple(folder.relative_to(ROOT).parts[0] for folder in folders)
    return Cgroups(tuple(folders), v2, controls)


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path ("" for the v2 tree)."""
    paths = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
