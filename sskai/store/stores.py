"""The pair of stores every stage works against, opened once per process per configuration."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sskai.settings import Settings
from sskai.store.artifacts import ArtifactStore, open_store
from sskai.store.metadata import MetadataStore


@dataclass(frozen=True)
class Stores:
    settings: Settings
    metadata: MetadataStore
    artifacts: ArtifactStore


@cache
def _open(settings: Settings) -> Stores:
    settings.home.mkdir(parents=True, exist_ok=True)
    return Stores(
        settings=settings, metadata=MetadataStore(settings.database_url), artifacts=open_store(settings.artifacts)
    )


def open_stores(settings: Settings | None = None) -> Stores:
    """The stores of ``settings`` (default: read from the environment now)."""
    return _open(settings or Settings())
