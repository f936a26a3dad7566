"""What cannot fit a Lambda function is refused with the limit and the figure, before any AWS call."""

from __future__ import annotations

import pytest

from sskai.bundles.spec import ModelSpec
from sskai.catalog.catalog import load_catalog
from sskai.errors import EndpointError
from sskai.serving.lambda_fit import PAYLOAD_BYTES_MAX, check_lambda_fit, vcpus_at
from sskai.units import GB
from tests.builders import SMALL

LIMITS = load_catalog().aws_lambda
EIGHT = ModelSpec(input_shape=(8,))


def test_a_small_model_fits_with_the_cpu_its_memory_buys_and_the_largest_request_it_may_send() -> None:
    fit = check_lambda_fit(1769, EIGHT, SMALL, 2 * GB, LIMITS, latency_slo_ms=1000)
    assert fit.vcpus == pytest.approx(1.0)
    assert vcpus_at(10_240) == pytest.approx(10_240 / 1769) and vcpus_at(20_000) == 6.0
    assert fit.max_rows_per_request == (PAYLOAD_BYTES_MAX - 128) // 32  # a request row: 8 float32s
    assert fit.expected_warm_ms == pytest.approx(SMALL.latency_ms_p95)


def test_a_sample_over_the_payload_cap_an_image_over_10_gb_and_memory_over_10240_mb_are_each_named() -> None:
    huge_sample = ModelSpec(input_shape=(2000, 1000))  # 8 MB of float32 per sample
    with pytest.raises(EndpointError) as refused:
        check_lambda_fit(12_000, huge_sample, SMALL, 11 * GB, LIMITS)
    message = str(refused.value)
    assert "12,000 MB of memory, over Lambda's 10,240 MB" in message
    assert "image would be 11.0 GB, over Lambda's 10 GB" in message
    assert "one sample's request is 7.6 MiB, over Lambda's 6 MiB payload" in message


def test_a_latency_target_the_memorys_cpu_share_cannot_meet_is_refused() -> None:
    slow = SMALL.model_copy(update={"latency_ms_p95": 40.0})
    with pytest.raises(EndpointError, match=r"warm p95 at 512 MB would be 138\.2 ms .* over the 100 ms target"):
        check_lambda_fit(512, EIGHT, slow, GB, LIMITS, latency_slo_ms=100)
    assert check_lambda_fit(2048, EIGHT, slow, GB, LIMITS, latency_slo_ms=100).expected_warm_ms == 40.0


def test_no_memory_chosen_is_refused_with_what_to_do() -> None:
    with pytest.raises(EndpointError, match="recommend it first"):
        check_lambda_fit(None, EIGHT, SMALL, GB, LIMITS)
