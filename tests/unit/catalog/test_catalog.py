"""Recommendations follow from the profile's numbers and the catalog's prices, and say why."""

from __future__ import annotations

from sskai.catalog import load_catalog


def test_catalog_snapshot_loads_typed_rows() -> None:
    catalog = load_catalog()
    assert len(catalog.offers) == 1127
    offer = catalog.offer("g4dn.xlarge", "us-east-1")
    assert offer.accelerator_count == 1 and offer.accelerator_memory_gib_total == 16
    assert catalog.accelerator_spec(offer).accelerator == "NVIDIA T4"
    v100_32 = next(
        o for o in catalog.offers if o.accelerator == "NVIDIA Tesla V100" and o.accelerator_memory_gib_each == 32
    )
    assert catalog.accelerator_spec(v100_32).accelerator == "NVIDIA V100 32GB"
