"""Giving up root before user code runs.

Where the platform runs as root, a sandboxed process becomes ``nobody`` when ``nobody`` can run this
Python (every folder on the way readable by others). Where it cannot (a Python under ``/root``, as
pyenv installs it), the process stays uid 0 but loses every capability for good: no reading past
file modes, no killing or tracing others, no mounts, no raising them back through ``execve``.
"""

from __future__ import annotations

import ctypes
import os
import stat
from pathlib import Path

NOBODY = 65534
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 28, 47, 4
# noroot, no_setuid_fixup, keep_caps and no_cap_ambient_raise, each set and locked.
LOCKED_SECUREBITS = 0b1 | 0b10 | 0b100 | 0b1000 | 0b100000 | 0b1000000 | 0b10000000
CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32))


_libc = ctypes.CDLL(None, use_errno=True)


def others_can_use(paths: list[Path]) -> bool:
    """Whether a user with no special rights can read every path (and enter every folder above it)."""
    for path in paths:
        path = Path(os.path.realpath(path))
        for folder in [*reversed(path.parents), path]:
            try:
                mode = folder.stat().st_mode
            except OSError:
                return False
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                return False
        if not path.stat().st_mode & stat.S_IROTH:
            return False
    return True


def drop_root(needed: list[Path]) -> str:
    """Stop being root; returns what was done ("" when not root). Raises OSError if the kernel refuses."""
    if os.geteuid() != 0:
        return ""
    if others_can_use(needed):
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        return "runs as nobody"
    drop_capabilities()
    return "runs as uid 0 with no capabilities"


def drop_capabilities() -> None:
    _check(_libc.prctl(PR_SET_SECUREBITS, LOCKED_SECUREBITS, 0, 0, 0))
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0))
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
    header = _CapHeader(version=CAPABILITY_VERSION_3, pid=0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data))


def _check(result: int) -> None:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
