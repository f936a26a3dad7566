"""The pair of stores every stage works against, opened once per process per configuration."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sskai.config import Settings, load_settings
from sskai.store.artifacts import ArtifactStore, open_store
from sskai.store.metadata import MetadataStore


@dataclass(frozen=True)
class Stores:
    settings: Settings
    metadata: MetadataStore
    artifacts: ArtifactStore


@cache
def _open(settings: Settings) -> Stores:
    return Stores(
        settings=settings, metadata=MetadataStore(settings.database_url), artifacts=open_store(settings.artifact_url)
    )


def open_stores(settings: Settings | None = None) -> Stores:
    return _open(settings or load_settings())
