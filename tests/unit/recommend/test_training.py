"""Recommendations follow from the profile's numbers and the catalog's prices, and say why."""

from __future__ import annotations

import pytest

from sskai.catalog import load_catalog
from sskai.plans import Workload
from sskai.recommend import recommend
from sskai.recommend.training import plan_training, training_memory_gib
from tests.builders import SMALL, like_small


def test_training_plan_holds_the_step_and_prices_the_job() -> None:
    workload = Workload(training_samples=1_000_000, epochs=10, batch_size=256)
    catalog = load_catalog()
    plan = plan_training(SMALL, catalog, workload)
    need = training_memory_gib(SMALL, 256)
    assert plan.required_accelerator_memory_gib == pytest.approx(need)
    assert catalog.offer(plan.instance_type, plan.region).accelerator_memory_gib_each >= need
    assert plan.estimated_spot_usd == pytest.approx(plan.estimated_hours * plan.spot_usd_per_hour)
    assert plan.estimated_ondemand_usd > plan.estimated_spot_usd
    assert len(plan.reasons) == 5 and plan.reasons[3].startswith("SSKAI's original rule")
    assert plan.reasons[-1].startswith("cheapest CPU instance for this model: t3.medium")
    assert plan.hazard_per_hour > 0.01 and 0 < plan.availability < 1 and plan.risk_basis
    assert 0 < plan.estimated_hours < float("inf")


def test_regions_restrict_the_choice() -> None:
    result = recommend(SMALL, load_catalog(), Workload(regions=("eu-west-1",)))
    assert result.training.region == "eu-west-1"
    assert result.stored()["workload"]["regions"] == ["eu-west-1"]


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
