"""Bring a stored bundle (a validated zip in the artifact store) onto local disk for a process to use."""

from __future__ import annotations

import shutil
from pathlib import Path

from sskai.bundles.zipsafe import safe_extract
from sskai.ownership.scratch import owned_scratch
from sskai.store.artifacts import ArtifactStore


def materialize_bundle(store: ArtifactStore, key: str, destination: Path) -> Path:
    """Download ``key`` and unpack it into ``destination`` (re-checked: the store may be shared)."""
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    with owned_scratch("sskai-fetch-") as scratch:
        archive = Path(scratch) / "bundle.zip"
        store.download_file(key, archive)
        safe_extract(archive, destination)
    return destination
