"""Elections: SSKAI's Algorithm 1 on a hand-checked example, and sskai's expected-cost ranking."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sskai.catalog import load_catalog
from sskai.election import Job, elect
from sskai.election.cost_model import expected_training
from sskai.risk import shipped_risk_model
from sskai.risk.model import advisor_rate_per_hour
from tests.builders import catalog_of, offer

LONG_JOB = Job(
    name="long",
    precision="bf16",
    work_flops=65e12 * 0.35 * 3600 * 200,  # 200 h on one T4
    checkpoint_interval_seconds=4 * 3600,
    restart_seconds=1800,
    min_accelerator_memory_gib=16,
)


def test_calibrated_interruptions_change_the_answer_when_prices_are_close() -> None:
    flaky = offer("g4dn.xlarge", "NVIDIA T4 Tensor Core", 1, 16, 0.100, bucket=">20%", region="us-east-1")
    steady = offer("g4dn.xlarge", "NVIDIA T4 Tensor Core", 1, 16, 0.105, bucket="<5%", region="us-west-2")
    catalog = catalog_of(flaky, steady)
    risks = shipped_risk_model(catalog)
    # The traces set the scale: the '>20%' bucket is about 0.3 losses per hour, not the 0.0005 a literal reading gives.
    assert risks.for_offer(flaky).hazard_per_hour == pytest.approx(risks.bucket_hazard_per_hour[">20%"])
    assert 0.2 < risks.for_offer(flaky).hazard_per_hour < 0.4
    assert advisor_rate_per_hour(">20%") < 0.001
    best = elect("sskai", LONG_JOB, catalog).best
    assert best.region == "us-west-2"
    flaky_estimate = expected_training(flaky, catalog.accelerator_spec(flaky), LONG_JOB, risks.for_offer(flaky))
    assert best.numbers["inflation"] < flaky_estimate.inflation
    assert best.numbers["risk_hazard_per_hour"] == pytest.approx(risks.for_offer(steady).hazard_per_hour)
    assert best.risk_basis.startswith("advisor bucket: AWS says <5% of these instances are interrupted")
    # With frequent checkpoints and a quick restart the 5% cheaper pool wins again: the answer follows the job.
    quick = replace(LONG_JOB, checkpoint_interval_seconds=300, restart_seconds=60)
    assert elect("sskai", quick, catalog).best.region == "us-east-1"


def test_data_transfer_enters_the_training_cost() -> None:
    near = offer("g4dn.xlarge", "NVIDIA T4 Tensor Core", 1, 16, 0.20, bucket="<5%", region="us-east-1")
    far = offer("g4dn.xlarge", "NVIDIA T4 Tensor Core", 1, 16, 0.19, bucket="<5%", region="us-west-2")
    catalog = catalog_of(near, far)
    job = Job(name="t", work_flops=6 * 124e6 * 1e8, min_accelerator_memory_gib=16)
    assert elect("sskai", job, catalog).best.region == "us-west-2"  # data off AWS: the cheaper pool
    with_data = replace(job, data_region="us-east-1", data_gb=500.0)
    best = elect("sskai", with_data, catalog).best
    assert best.region == "us-east-1"  # 500 GB x $0.02 to us-west-2 outweighs a cent an hour
    risk = shipped_risk_model(catalog).for_offer(far)
    estimate = expected_training(far, catalog.accelerator_spec(far), with_data, risk)
    launches = 1 + risk.hazard_per_hour * estimate.expected_hours
    assert estimate.transfer_usd == pytest.approx(500 * 0.02 * launches)


def test_expected_cost_arithmetic() -> None:
    t4 = offer("g4dn.xlarge", "NVIDIA T4 Tensor Core", 1, 16, 0.2, bucket=">20%")
    estimate = expected_training(t4, load_catalog().accelerator_spec(t4), LONG_JOB)
    rate = -math.log(1 - 0.30) / 730
    loss_hours = (1800 + 4 * 3600 / 2) / 3600
    inflation = (1 + 5 / (4 * 3600)) / (1 - rate * loss_hours)
    assert estimate.compute_hours == pytest.approx(200.0)
    assert estimate.inflation == pytest.approx(inflation)
    assert estimate.expected_hours == pytest.approx(200 * inflation + 0.5)
    assert estimate.expected_usd == pytest.approx(estimate.expected_hours * 0.2)
    assert estimate.as_numbers()["expected_usd"] == estimate.expected_usd
    assert advisor_rate_per_hour(None) == advisor_rate_per_hour(">20%") > advisor_rate_per_hour("<5%")


def test_multi_gpu_instances_are_scaled_honestly() -> None:
    one = offer("g5.xlarge", "NVIDIA A10G", 1, 24, 1.0)
    four = offer("g5.12xlarge", "NVIDIA A10G", 4, 96, 3.9)  # cheaper per GPU, but not four times as fast
    catalog = catalog_of(one, four)
    job = Job(name="dp", work_flops=1e18, min_accelerator_memory_gib=20)
    single = expected_training(one, catalog.accelerator_spec(one), job).flops_per_second
    quad = expected_training(four, catalog.accelerator_spec(four), job).flops_per_second
    assert quad == pytest.approx(4 * single * 0.92**2)
    assert elect("sskai", job, catalog).best.instance_type == "g5.xlarge"


def test_measured_throughput_overrides_the_datasheet() -> None:
    a = offer("g5.xlarge", "NVIDIA A10G", 1, 24, 1.0)
    b = offer("g6.xlarge", "NVIDIA L4", 1, 24, 0.9)
    job = Job(name="m", work_flops=1e17, measured_flops_per_second=(("g5.xlarge", 9e13), ("g6.xlarge", 1e13)))
    assert elect("sskai", job, catalog_of(a, b)).best.instance_type == "g5.xlarge"


def test_regions_and_memory_restrict_the_sskai_election() -> None:
    result = elect("sskai", replace(LONG_JOB, regions=("eu-west-1",), min_accelerator_memory_gib=40), load_catalog())
    assert result.best.region == "eu-west-1"
    assert all(tier >= 40 for tier in result.tiers)
    assert all(len(top) <= 5 for top in result.tiers.values())
