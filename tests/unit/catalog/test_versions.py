"""Without a stored catalog version, every stage prices with the shipped snapshot."""

from __future__ import annotations

from sskai.catalog import load_catalog
from sskai.catalog.versions import current_catalog


def test_without_a_stored_version_the_snapshot_prices(stores) -> None:
    assert current_catalog(stores) is load_catalog()
