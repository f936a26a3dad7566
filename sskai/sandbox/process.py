"""Starting, watching and ending a sandboxed process from the (trusted) platform side."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sskai.processes import kill_session, kill_tree, processes_in
from sskai.sandbox import cgroups
from sskai.sandbox.policy import SandboxPolicy, sandbox_environment
from sskai.units import MiB


@dataclass
class SandboxedProcess:
    """A process confined by ``policy``, leading a session of its own, with its cgroup if one was made."""

    popen: subprocess.Popen[Any]
    policy: SandboxPolicy
    cgroup: cgroups.Cgroups | None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def wait(self, timeout: float | None = None) -> int:
        return self.popen.wait(timeout)

    def kill(self) -> None:
        """End it and everything it started, then release the cgroup.

        The cgroup holds all of it where one was made; without one, its tree (the target is a child
        subreaper), its session, and what still runs from its scratch folder after the leader ended.
        """
        if self.popen.poll() is None:
            kill_tree(self.popen.pid)
            kill_session(self.popen)
        else:
            kill_session(self.popen.pid)  # the leader is gone; what it left in its session is not
        for pid in processes_in(self.policy.workdir):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        self.release()

    def release(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None

    def over_memory(self) -> bool:
        """Whether the memory cap ended it: the cgroup's OOM kill, or the rlimit's MemoryError in its output."""
        return self.cgroup is not None and self.cgroup.oom_killed()


def start_sandboxed(
    command: list[str], policy: SandboxPolicy, environment: dict[str, str] | None = None, **popen: Any
) -> SandboxedProcess:
    """Start ``command`` confined by ``policy``; ``environment`` adds to the allow-listed variables.

    ``popen`` passes stdin/stdout/stderr through to :class:`subprocess.Popen`.
    """
    policy.workdir.mkdir(parents=True, exist_ok=True)
    policy.workdir.chmod(0o700)
    cgroup = cgroups.create(f"{cgroups.PREFIX}{uuid.uuid4().hex[:12]}", policy.memory_bytes, policy.max_processes)
    if cgroup is not None:
        policy = policy.model_copy(update={"cgroup": cgroup.folders, "cgroup_controls": cgroup.controls})
    argv = [sys.executable, "-m", "sskai.sandbox.launch", policy.model_dump_json(), "--", *command]
    try:
        process = subprocess.Popen(
            argv, env=sandbox_environment(policy, environment), cwd=policy.workdir, start_new_session=True, **popen
        )
    except OSError:
        if cgroup is not None:
            cgroup.remove()
        raise
    return SandboxedProcess(process, policy, cgroup)


def python_command(module: str, *arguments: str) -> list[str]:
    """``python -m module args`` with this interpreter (isolated from the current folder)."""
    return [sys.executable, "-m", module, *arguments]


MAX_RESULT_BYTES = MiB


def read_result(path: Path) -> dict[str, Any]:
    """The JSON object a sandboxed process left at ``path`` (``{}`` if none, or not an object).

    Read with a size cap and every parse failure caught: the process ran user code, so its result
    is input, not trusted output; the caller checks the fields it needs.
    """
    try:
        result = json.loads(path.read_text(errors="replace")[:MAX_RESULT_BYTES])
    except (OSError, ValueError, RecursionError):
        return {}
    return result if isinstance(result, dict) else {}
