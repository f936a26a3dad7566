"""What a sandboxed process may touch: its files, its environment, its limits.

One policy type for every place user code runs (profiling, endpoint inference workers, training
nodes), so the rules are stated once: the system's libraries and this Python read-only, the bundle
read-only, its own scratch folder read-write, nothing else on disk (not the metadata database, not
the artifact store, not another model); an environment built from an allow-list, so no database URL,
cloud credential or platform secret passes unless a caller names it.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from pathlib import Path

from pydantic import BaseModel, ConfigDict

import sskai
from sskai.settings import passed_environment

# Files under /etc a Python program reads; /etc as a whole holds what a process running as uid 0
# must not read (shadow, ssh host keys), so only these are opened to it.
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "nsswitch.conf",
    "passwd",
    "group",
    "hosts",
    "host.conf",
    "resolv.conf",
    "gai.conf",
    "os-release",
    "mime.types",
    "ssl",
    "ca-certificates",
    "protocols",
    "services",
)
SYSTEM_TREES = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/proc", "/sys", "/opt/conda")
DEVICES_READABLE = ("/dev/urandom", "/dev/random", "/dev/zero", "/dev/full")
DEVICES_WRITABLE = ("/dev/null", "/dev/tty")
EXIT_SANDBOX_FAILED = 125  # what env(1) and friends use for "could not set up the command"
# Allowed through from the platform's environment; everything else is dropped.
PASSED_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM")


class SandboxPolicy(BaseModel):
    """Where the process works, what else it may read or write, and its limits (None: no limit)."""

    model_config = ConfigDict(frozen=True)

    workdir: Path  # its own scratch folder: HOME, TMPDIR and the current folder
    readable: tuple[Path, ...] = ()
    writable: tuple[Path, ...] = ()
    memory_bytes: int | None = None
    cpu_seconds: int | None = None
    max_processes: int | None = None
    max_file_bytes: int | None = None
    network: bool = False  # TCP bind and connect; off for code that only computes
    die_with_parent: bool = False  # SIGKILL when the thread that started it ends (a killed server's workers)
    cgroup: tuple[Path, ...] = ()  # folders the launcher joins before it starts the target
    cgroup_controls: tuple[str, ...] = ()  # what those enforce ("memory", "pids"); rlimits stand in for the rest

    def all_readable(self) -> list[Path]:
        return [*interpreter_paths(), *self.readable]

    def all_writable(self) -> list[Path]:
        return [self.workdir, *map(Path, DEVICES_WRITABLE), *self.writable]


def interpreter_paths() -> list[Path]:
    """Everything this Python and sskai need to start: the system, the interpreter, its packages."""
    paths = [Path(p) for p in SYSTEM_TREES]
    paths += [Path("/etc") / name for name in ETC_FILES]
    paths += [Path(p) for p in DEVICES_READABLE]
    paths += [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)]
    paths += [Path(sys.executable).resolve().parent.parent]
    paths += [Path(p) for p in {*site.getsitepackages(), sysconfig.get_paths()["purelib"]}]
    paths += [Path(sskai.__file__).parent]  # an editable install lives outside site-packages
    return sorted(set(paths))


def sandbox_environment(policy: SandboxPolicy, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The sandboxed process's environment: an allow-list plus what the caller names in ``extra``."""
    environment = passed_environment(PASSED_VARIABLES)
    environment.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    environment["PATH"] = f"{Path(sys.executable).parent}:{environment['PATH']}"
    environment.update(
        HOME=str(policy.workdir),
        TMPDIR=str(policy.workdir / "tmp"),
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
        OMP_NUM_THREADS=environment.get("OMP_NUM_THREADS", "1"),
    )
    return {**environment, **(extra or {})}
