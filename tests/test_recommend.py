"""Recommendations follow from the profile's numbers and the catalog's prices, and say why."""

from __future__ import annotations

import pytest

from sskai.catalog import load_catalog
from sskai.costs import spot_usd_per_hour
from sskai.errors import StoredRecordInvalid
from sskai.kinds import ServingKind
from sskai.profiling.metrics import ProfileMetrics
from sskai.recommend import Recommendation, Workload, plan_serving, plan_training, recommend, training_memory_gib

SMALL = ProfileMetrics(
    device="cpu",
    parameter_count=30_000,
    weight_bytes=120_000,
    forward_flops_per_sample=2.2e7,
    train_flops_per_sample=6.5e7,
    inference_batch_size=8,
    inference_peak_bytes=2_000_000,
    train_batch_size=8,
    train_step_peak_bytes=5_000_000,
    latency_ms_p50=2.0,
    latency_ms_p95=2.3,
    batch_latency_ms_p50=3.0,
    output_shape=(1,),
    runtime_rss_bytes=350 * 1024**2,
    model_held_bytes=120_000,
    serving_peak_rss_bytes=360 * 1024**2,
)


def like_small(**changes: float) -> ProfileMetrics:
    return SMALL.model_copy(update=changes)


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


def test_a_small_fast_model_serves_serverless_with_its_reasons() -> None:
    plan = plan_serving(SMALL, load_catalog(), Workload())
    assert plan.target is ServingKind.SERVERLESS
    assert 128 <= plan.memory_mb <= 1024
    assert plan.alternative.target is ServingKind.SPOT and plan.usd_per_hour < plan.alternative.usd_per_hour
    assert "fits Lambda" in plan.reasons[-1]


def test_a_model_over_lambdas_memory_goes_to_a_spot_gpu_that_holds_it() -> None:
    big = like_small(weight_bytes=14 * 1024**3)
    catalog = load_catalog()
    plan = plan_serving(big, catalog, Workload())
    assert plan.target is ServingKind.SPOT
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
    assert slow.target == "spot" and any("misses the 200 ms target" in r for r in slow.reasons)
    busy = plan_serving(SMALL, load_catalog(), Workload(requests_per_hour=5e7))
    assert busy.target == "spot" and any("more than a spot GPU" in r for r in busy.reasons)


def test_training_plan_holds_the_step_and_prices_the_job() -> None:
    workload = Workload(training_samples=1_000_000, epochs=10, batch_size=256)
    catalog = load_catalog()
    plan = plan_training(SMALL, catalog, workload)
    need = training_memory_gib(SMALL, 256)
    assert plan.required_accelerator_memory_gib == pytest.approx(need)
    assert catalog.offer(plan.instance_type, plan.region).accelerator_memory_gib_each >= need
    assert plan.estimated_spot_usd == pytest.approx(plan.estimated_hours * plan.spot_usd_per_hour)
    assert plan.estimated_ondemand_usd > plan.estimated_spot_usd
    assert len(plan.reasons) == 5 and plan.reasons[3].startswith("SSKAI's Algorithm 1 would pick")
    assert plan.reasons[-1].startswith("cheapest CPU instance for this model: t3.medium")
    assert plan.hazard_per_hour > 0.01 and 0 < plan.availability < 1 and plan.risk_basis
    assert 0 < plan.estimated_hours < float("inf")


def test_regions_restrict_the_choice() -> None:
    result = recommend(SMALL, load_catalog(), Workload(regions=("eu-west-1",)))
    assert result.training.region == "eu-west-1"
    assert result.stored()["workload"]["regions"] == ["eu-west-1"]


def test_a_stored_recommendation_reads_back_and_an_old_one_fails_clearly() -> None:
    result = recommend(SMALL, load_catalog(), Workload())
    assert Recommendation.from_stored(result.stored(), "recommendation r1") == result
    old = {k: v for k, v in result.stored().items() if k != "schema_version"}
    with pytest.raises(StoredRecordInvalid, match=r"recommendation r1 was written before .* recommend again"):
        Recommendation.from_stored(old, "recommendation r1")
    broken = {**result.stored(), "serving": {"target": "mainframe"}}
    with pytest.raises(StoredRecordInvalid, match=r"serving.target: Input should be 'serverless' or 'spot'"):
        Recommendation.from_stored(broken, "recommendation r1")


def test_a_tiny_model_trains_on_a_cpu_instance_when_that_is_cheaper_than_any_gpu() -> None:
    # SMALL's forward batch: 2.2e7 FLOPs x 8 samples in 3 ms = 5.87e10 FLOP/s measured on a CPU.
    workload = Workload(training_samples=10_000, epochs=3, regions=("us-east-1",))
    catalog = load_catalog()
    plan = plan_training(SMALL, catalog, workload)
    flops = 6.5e7 * 10_000 * 3
    hours = flops / (2.2e7 * 8 / 0.003) / 3600 + 120 / 3600
    # The cheapest spot GPU in us-east-1 costs more for 2 minutes of node start-up than t3.medium for the job.
    assert (plan.instance_type, plan.accelerator, plan.accelerator_count) == ("t3.medium", "CPU", 0)
    assert plan.estimated_hours == pytest.approx(hours)
    assert plan.estimated_spot_usd == pytest.approx(hours * 0.0416)
    assert plan.interruption_frequency is None and plan.risk_basis.startswith("on-demand CPU")
    assert plan.reasons[-2].startswith("a CPU instance is cheaper still: t3.medium")
    # t3.small (2 GiB) cannot hold a 2 GiB runtime plus the step; t3.medium (4 GiB) is the smallest that can.
    assert catalog.offer("t3.small", "us-east-1").ondemand_usd_per_hour < 0.0416
    # A model profiled on a GPU has no measured CPU rate: no CPU plan is guessed.
    assert plan_training(like_small(device="cuda"), catalog, workload).accelerator != "CPU"


def test_serving_stays_in_the_regions_the_user_names_and_defaults_to_the_data() -> None:
    big = like_small(weight_bytes=12 * 1024**3, serving_peak_rss_bytes=14 * 1024**3)
    catalog = load_catalog()
    anywhere = plan_serving(big, catalog, Workload())
    near_users = plan_serving(big, catalog, Workload(serving_regions=("eu-west-1",)))
    near_data = plan_serving(big, catalog, Workload(data_region="us-west-2"))
    assert near_users.region == "eu-west-1" and near_data.region == "us-west-2"
    assert anywhere.usd_per_hour <= near_users.usd_per_hour
