"""Builders for the archives tests upload, hostile ones included."""

from __future__ import annotations

import json
import stat
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "tests" / "data"  # archives, feeds and a store made by an earlier sskai
# The machine's PostgreSQL server (trust authentication), for the scale configuration's tests.
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def make_zip(path: Path, files: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def add_symlink(path: Path, name: str, target: str) -> Path:
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
    return path


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def validate_manifests(manifests: list[dict]) -> subprocess.CompletedProcess:
    """Check Kubernetes manifests against their schemas (``infra/schema/validate.mjs``, kubernetes-models)."""
    return subprocess.run(
        ["node", str(ROOT / "infra" / "schema" / "validate.mjs")],
        input=json.dumps(manifests),
        capture_output=True,
        text=True,
        timeout=60,
    )
