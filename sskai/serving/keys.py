"""An endpoint's API key, handed to its owner once: a file under ``SSKAI_HOME`` that only the owner can read.

The key is never in a log, a Prefect result or an artifact, and the platform keeps only its hash;
so a deploy run by a Prefect worker (``sskai up``, the pipeline, the dashboard) leaves it here, and
the owner's next ``sskai endpoints key NAME`` (or the dashboard) prints it once and deletes the file.
A lost key is replaced with ``sskai endpoints rotate-key NAME``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sskai.settings import Settings


def key_file(settings: Settings, owner: str, endpoint_name: str) -> Path:
    return settings.home / "keys" / owner / f"{endpoint_name}.key"


def hand_over(settings: Settings, owner: str, endpoint_name: str, api_key: str) -> Path:
    """Leave ``api_key`` for its owner (a folder and a file only this user can open), replacing one left before."""
    path = key_file(settings, owner, endpoint_name)
    for folder in (path.parent.parent, path.parent):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    temporary = path.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(api_key)
    temporary.replace(path)
    return path


def collect(settings: Settings, owner: str, endpoint_name: str) -> str | None:
    """The key left for this endpoint, once: the file is gone after it is read. None if there is none."""
    path = key_file(settings, owner, endpoint_name)
    try:
        api_key = path.read_text().strip()
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    return api_key or None
