"""The price and spec catalog: the one home of prices. See ``data/PROVENANCE.md`` for sources."""

from sskai.catalog.catalog import (
    AcceleratorSpec,
    Catalog,
    InstanceOffer,
    LambdaPricing,
    load_catalog,
    spot_usd_per_hour,
)

__all__ = ["AcceleratorSpec", "Catalog", "InstanceOffer", "LambdaPricing", "load_catalog", "spot_usd_per_hour"]
