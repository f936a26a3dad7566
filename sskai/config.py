"""Where sskai keeps its state, read from the environment so every process agrees.

The embedded default keeps everything under one folder (``SSKAI_HOME``): a SQLite metadata
store and a ``file://`` artifact store. The scale configuration points ``SSKAI_DATABASE_URL`` at
PostgreSQL and ``SSKAI_ARTIFACT_URL`` at ``s3://bucket/prefix``.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    artifact_url: str
    owner: str

    @property
    def endpoints_dir(self) -> Path:
        """Local scratch for endpoint processes (pid files, logs, unpacked bundles)."""
        return self.home / "endpoints"


def load_settings() -> Settings:
    home = Path(os.environ.get("SSKAI_HOME", Path.cwd() / ".sskai")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("SSKAI_DATABASE_URL") or f"sqlite:///{home / 'sskai.db'}"
    artifact_url = os.environ.get("SSKAI_ARTIFACT_URL") or (home / "artifacts").as_uri()
    owner = os.environ.get("SSKAI_OWNER") or _current_user()
    return Settings(home=home, database_url=database_url, artifact_url=artifact_url, owner=owner)


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "local"
