"""Recommendations follow from the profile's numbers and the catalog's prices, and say why."""

from __future__ import annotations

from sskai.catalog import load_catalog
from sskai.catalog.catalog import spot_usd_per_hour
from sskai.kinds import ServingKind
from sskai.plans import Workload
from sskai.recommend.serving import plan_serving
from tests.builders import SMALL, like_small


def test_a_small_fast_model_serves_serverless_with_its_reasons() -> None:
    plan = plan_serving(SMALL, load_catalog(), Workload())
    assert plan.kind is ServingKind.SERVERLESS
    assert 128 <= plan.memory_mb <= 1024
    assert plan.alternative.kind is ServingKind.SPOT and plan.usd_per_hour < plan.alternative.usd_per_hour
    assert "fits Lambda" in plan.reasons[-1]


def test_a_model_over_lambdas_memory_goes_to_a_spot_gpu_that_holds_it() -> None:
    big = like_small(weight_bytes=14 * 1024**3)
    catalog = load_catalog()
    plan = plan_serving(big, catalog, Workload())
    assert plan.kind is ServingKind.SPOT
    assert any("over Lambda's 10240 MB limit" in r for r in plan.reasons)
    offer = catalog.offer(plan.instance_type, plan.region)
    assert offer.accelerator_memory_gib_each >= 14 * 1.25
    holders = [
        o
        for o in catalog.spot_offers()
        if o.accelerator.startswith("NVIDIA")
        and o.accelerator_count >= 1
        and o.accelerator_memory_gib_each >= offer.accelerator_memory_gib_each
    ]
    assert spot_usd_per_hour(offer) <= min(spot_usd_per_hour(o) for o in holders)


def test_a_tight_latency_target_or_heavy_traffic_rules_out_serverless() -> None:
    slow = plan_serving(like_small(latency_ms_p95=900.0), load_catalog(), Workload(latency_slo_ms=200))
    assert slow.kind == "spot" and any("misses the 200 ms target" in r for r in slow.reasons)
    busy = plan_serving(SMALL, load_catalog(), Workload(requests_per_hour=5e7))
    assert busy.kind == "spot" and any("more than a spot GPU" in r for r in busy.reasons)


def test_serving_stays_in_the_regions_the_user_names_and_defaults_to_the_data() -> None:
    big = like_small(weight_bytes=12 * 1024**3, serving_peak_rss_bytes=14 * 1024**3)
    catalog = load_catalog()
    anywhere = plan_serving(big, catalog, Workload())
    near_users = plan_serving(big, catalog, Workload(serving_regions=("eu-west-1",)))
    near_data = plan_serving(big, catalog, Workload(data_region="us-west-2"))
    assert near_users.region == "eu-west-1" and near_data.region == "us-west-2"
    assert anywhere.usd_per_hour <= near_users.usd_per_hour
