"""Prices over time: the catalog every stage prices with, and the versions a refresh stores.

``current_catalog`` is the one accessor: the newest stored catalog version, else the shipped
snapshot. A refresh fetches (or falls back to) a catalog and stores it as a version, so the next
recommendation and the next cost record price with it.
"""

from __future__ import annotations

import io
from dataclasses import replace
from functools import lru_cache
from typing import Any

from sskai.catalog.catalog import Catalog, load_catalog, offers_to_csv, read_offers
from sskai.catalog.refresh import SPOT_ADVISOR_URL, credentials_available, fetch_live_catalog
from sskai.kinds import Status
from sskai.store.metadata import CatalogVersion, utcnow
from sskai.store.stores import Stores


def refresh_catalog(
    stores: Stores,
    regions: tuple[str, ...],
    live: bool | None = None,
    advisor_url: str = SPOT_ADVISOR_URL,
    client: Any = None,
) -> tuple[Catalog, CatalogVersion]:
    """Live when asked (or when credentials exist and ``live`` is None), else the shipped snapshot."""
    base = load_catalog()
    use_live = credentials_available() if live is None else live
    catalog = fetch_live_catalog(regions, base, advisor_url=advisor_url, client=client) if use_live else base
    return catalog, store_catalog_version(stores, catalog, live=use_live)


def store_catalog_version(stores: Stores, catalog: Catalog, live: bool) -> CatalogVersion:
    """Keep ``catalog``'s offers as a new version; from now on it is what ``current_catalog`` returns."""
    stamp = utcnow()
    key = f"catalogs/{stamp:%Y%m%dT%H%M%S%f}-{'live' if live else 'snapshot'}.csv"
    stores.artifacts.put_bytes(key, offers_to_csv(catalog.offers).encode())
    return stores.metadata.add(
        CatalogVersion(
            owner=stores.settings.owner,
            source=catalog.source,
            live=live,
            fetched_at=stamp,
            offer_count=len(catalog.offers),
            artifact_key=key,
            status=Status.READY,
        )
    )


def load_catalog_version(stores: Stores, version: CatalogVersion) -> Catalog:
    return _read_version(stores, version.id, version.artifact_key, version.source)


@lru_cache(maxsize=8)
def _read_version(stores: Stores, version_id: str, artifact_key: str, source: str) -> Catalog:
    """A stored version never changes, so each is read from the artifact store once per process."""
    text = stores.artifacts.get_bytes(artifact_key).decode()
    return replace(load_catalog(), offers=read_offers(io.StringIO(text)), source=source)


def current_catalog(stores: Stores) -> Catalog:
    """What every stage prices with: the newest stored catalog version, else the shipped snapshot.

    Prices are facts about the cloud, not about an owner, so the newest version of any owner counts.
    """
    newest = stores.metadata.latest(CatalogVersion, status=Status.READY)
    return load_catalog() if newest is None else load_catalog_version(stores, newest)
