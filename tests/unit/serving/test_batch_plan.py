"""Batch limits from the profile and the latency target: the largest batch whose forward, twice over, fits in
the target's share for the model; a wait of at most one sample's forward; the settings without a profile."""

from __future__ import annotations

import pytest

from sskai.profiling.metrics import ProfileMetrics
from sskai.serving.batch_plan import choose_batching, forward_ms, rows_in_memory
from sskai.units import MiB

GIB = 1024 * MiB


def profile(single_ms: float, batch_ms: float, batch: int = 64, peak_bytes: int = 64 * MiB) -> ProfileMetrics:
    return ProfileMetrics(
        device="cpu",
        parameter_count=1000,
        weight_bytes=4000,
        forward_flops_per_sample=1e6,
        train_flops_per_sample=3e6,
        inference_batch_size=batch,
        inference_peak_bytes=peak_bytes,
        train_batch_size=batch,
        train_step_peak_bytes=peak_bytes,
        latency_ms_p50=single_ms,
        latency_ms_p95=single_ms * 1.2,
        batch_latency_ms_p50=batch_ms,
        output_shape=(10,),
        runtime_rss_bytes=300 * MiB,
        model_held_bytes=10 * MiB,
        serving_peak_rss_bytes=400 * MiB,
    )


def test_the_forward_is_the_line_through_the_one_sample_and_the_batch_medians() -> None:
    measured = profile(single_ms=1.0, batch_ms=64.0)  # 1 ms fixed-free: one ms a sample
    assert forward_ms(measured, 1) == pytest.approx(1.0) and forward_ms(measured, 32) == pytest.approx(32.0)
    amortised = profile(single_ms=2.0, batch_ms=8.3)  # 1.9 ms fixed, 0.1 ms a sample
    assert forward_ms(amortised, 10) == pytest.approx(2.9)


def test_the_largest_batch_that_keeps_two_forwards_inside_the_target_and_a_wait_of_one_sample() -> None:
    chosen = choose_batching(
        profile(1.0, 64.0), latency_slo_ms=40.0, memory_cap_bytes=8 * GIB, max_rows=32, default_wait_ms=0.0
    )
    assert chosen.max_batch_rows == 16  # 2 x 16 ms = 32 ms = 80% of 40 ms
    assert chosen.max_batch_wait_ms == 0.0  # nothing of the target is left to wait in
    roomy = choose_batching(profile(1.0, 64.0), 1000.0, 8 * GIB, 32, 0.0)
    assert roomy.max_batch_rows == 32 and roomy.max_batch_wait_ms == pytest.approx(1.0)  # the cap; one forward
    assert "the settings' cap of 32" in roomy.reason


def test_a_model_slower_than_the_target_is_not_batched_and_no_profile_keeps_the_settings() -> None:
    slow = choose_batching(profile(30.0, 64 * 30.0), 50.0, 8 * GIB, 32, 0.0)
    assert (slow.max_batch_rows, slow.max_batch_wait_ms) == (1, 0.0) and "no batching" in slow.reason
    unknown = choose_batching(None, 200.0, 8 * GIB, 32, 2.5)
    assert (unknown.max_batch_rows, unknown.max_batch_wait_ms) == (32, 2.5) and "no profile" in unknown.reason


def test_the_batch_never_outgrows_the_workers_memory_cap() -> None:
    heavy = profile(1.0, 64.0, batch=64, peak_bytes=64 * 100 * MiB)  # 100 MiB of activations a sample
    assert rows_in_memory(heavy, 1 * GIB) == 64 + (1024 - 400) // 100
    capped = choose_batching(heavy, 1000.0, 1 * GIB, 512, 0.0)
    assert capped.max_batch_rows == 70 and "memory cap" in capped.reason
