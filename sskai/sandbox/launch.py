"""Entry point that confines itself and then becomes the target: ``python -m sskai.sandbox.launch POLICY -- CMD``.

Confinement happens here, in a fresh single-threaded interpreter, rather than in a ``preexec_fn``
of a parent that runs threads (Prefect, Ray, uvicorn): join the cgroup, set rlimits, restrict the
file system with Landlock, give up root, then ``execve`` the target, which inherits all of it.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from pathlib import Path

from sskai.sandbox import landlock
from sskai.sandbox.policy import EXIT_SANDBOX_FAILED, SandboxPolicy
from sskai.sandbox.privileges import NOBODY, drop_root, others_can_use

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def apply(policy: SandboxPolicy, executable: Path) -> list[str]:
    """Confine this process per ``policy``; returns warnings about what could not be enforced here."""
    parent = os.getppid()
    notes = []
    for folder in policy.cgroup:
        (folder / "cgroup.procs").write_text(str(os.getpid()))
    limits = [
        (resource.RLIMIT_CPU, policy.cpu_seconds),
        (resource.RLIMIT_FSIZE, policy.max_file_bytes),
        (resource.RLIMIT_CORE, 0),
    ]
    if "memory" not in policy.cgroup_controls:
        limits.append((resource.RLIMIT_DATA, policy.memory_bytes))  # what it has written to, not mapped
    if "pids" not in policy.cgroup_controls:
        limits.append((resource.RLIMIT_NPROC, policy.max_processes))
        if policy.max_processes and os.geteuid() == 0:
            notes.append("the process cap needs a cgroup when running as root (RLIMIT_NPROC spares uid 0)")
    for which, value in limits:
        if value is not None:
            resource.setrlimit(which, (value, value))
    policy.workdir.joinpath("tmp").mkdir(parents=True, exist_ok=True)
    try:
        landlock.restrict(policy.all_readable(), policy.all_writable(), network=policy.network)
    except OSError as exc:
        notes.append(f"files and network are not confined: Landlock is unavailable ({exc})")
    needed = [executable, *policy.readable]
    if os.geteuid() == 0 and others_can_use(needed):
        for path in [policy.workdir, *policy.workdir.rglob("*")]:  # so that nobody can still write there
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    drop_root(needed)
    # What the target starts stays in its tree, even a double fork into a new session: where no cgroup
    # holds the sandbox, that tree is how its end finds everything it started (kept across execve).
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if policy.die_with_parent:  # after drop_root: a change of user clears it
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            raise OSError("the process that started the sandbox ended while it was being set up")
    return notes


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m sskai.sandbox.launch POLICY_JSON -- COMMAND [ARG...]", file=sys.stderr)
        return EXIT_SANDBOX_FAILED
    policy = SandboxPolicy.model_validate_json(argv[0])
    command = argv[2:]
    try:
        notes = apply(policy, Path(sys.executable))
    except OSError as exc:
        print(f"sskai sandbox: could not confine the process: {exc}", file=sys.stderr)
        return EXIT_SANDBOX_FAILED
    for note in notes:
        print(f"sskai sandbox: warning: {note}", file=sys.stderr)
    os.chdir(policy.workdir)
    os.execvp(command[0], command)  # noqa: S606 - the command is ours, its arguments a list
    return EXIT_SANDBOX_FAILED  # not reached: execvp replaces this process or raises


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
