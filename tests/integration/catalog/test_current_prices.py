"""Every stage that prices anything prices with the newest stored catalog version, else the snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from flows.monitor import monitor_flow
from flows.recommend import recommend_flow
from sskai.bundles.upload import upload_model
from sskai.catalog import load_catalog
from sskai.catalog.catalog import Catalog
from sskai.catalog.versions import current_catalog, store_catalog_version
from sskai.kinds import ServingKind, Status
from sskai.plans import Recommendation
from sskai.store.metadata import CostRecord, Endpoint, Profile, RecommendationRecord, utcnow
from tests.builders import SMALL


def repriced(catalog: Catalog, instance_type: str, region: str, factor: float) -> Catalog:
    """The catalog as a refresh would return it after one pool's spot price moved by ``factor``."""

    def move(offer):
        if (offer.instance_type, offer.region) != (instance_type, region):
            return offer
        return replace(
            offer,
            spot_min_usd_per_hour=offer.spot_min_usd_per_hour * factor,
            spot_avg_usd_per_hour=offer.spot_avg_usd_per_hour * factor,
            spot_max_usd_per_hour=offer.spot_max_usd_per_hour * factor,
        )

    return replace(catalog, offers=tuple(move(o) for o in catalog.offers), source="refreshed in a test")


@pytest.mark.usefixtures("prefect_server")
def test_a_refreshed_price_changes_the_recommendation(stores, example_zips) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    stores.metadata.add(
        Profile(owner="tester", model_id=model.id, metrics=SMALL.stored(), device="cpu", status=Status.SUCCEEDED)
    )

    def training_pick() -> tuple[str, str]:
        record = stores.metadata.get(RecommendationRecord, recommend_flow("mlp"))
        training = Recommendation.from_stored(record.plan, "test").training
        return training.instance_type, training.region

    before = training_pick()
    store_catalog_version(stores, repriced(load_catalog(), *before, factor=50.0), live=False)
    after = training_pick()
    assert after != before
    assert current_catalog(stores).offer(*before).spot_avg_usd_per_hour == pytest.approx(
        50.0 * load_catalog().offer(*before).spot_avg_usd_per_hour
    )


@pytest.mark.usefixtures("prefect_server")
def test_a_refreshed_price_changes_a_metered_cost(stores, example_zips) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    pool = ("g4dn.xlarge", "us-east-1")
    snapshot_price = load_catalog().offer(*pool).spot_avg_usd_per_hour

    def metered_spot_price() -> float:
        endpoint = stores.metadata.add(
            Endpoint(
                owner="tester",
                name="ep",
                model_id=model.id,
                kind=ServingKind.SPOT,
                api_key_sha256="0" * 64,
                instance_type=pool[0],
                region=pool[1],
                runtime="local",
                metered_until=utcnow() - timedelta(minutes=30),
                status=Status.READY,
            )
        )
        monitor_flow()
        [cost] = stores.metadata.list(CostRecord, resource_id=endpoint.id)
        assert cost.seconds >= 1800 and cost.paid_usd == pytest.approx(
            cost.seconds / 3600 * cost.detail["spot_usd_per_hour"]
        )
        return cost.detail["spot_usd_per_hour"]

    assert metered_spot_price() == pytest.approx(snapshot_price)
    store_catalog_version(stores, repriced(load_catalog(), *pool, factor=3.0), live=False)
    assert metered_spot_price() == pytest.approx(3.0 * snapshot_price)
