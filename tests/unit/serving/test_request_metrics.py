"""Request counters: what the metering bills a serverless endpoint for, kept across restarts."""

from __future__ import annotations

from pathlib import Path

from sskai.serving.requests import RequestMetrics, read_counters


def test_busy_seconds_are_the_models_seconds_not_the_wait(tmp_path: Path) -> None:
    metrics = RequestMetrics(persist_to=tmp_path / "metrics.json")
    metrics.observe(1.0, ok=True, model_seconds=0.25)  # waited 0.75 s in the queue
    metrics.observe(2.0, ok=False, model_seconds=0.0)  # no worker took it (503)
    metrics.observe(0.5, ok=False, timed_out=True)  # the model ran all of it
    counters = metrics.snapshot()
    assert (counters.requests, counters.errors, counters.timeouts) == (3, 2, 1)
    assert counters.busy_seconds == 0.75
    assert counters.latency_ms_p50 == 1000.0  # latency is the client's: the wait counts there


def test_a_restarted_endpoint_takes_up_its_counts(tmp_path: Path) -> None:
    RequestMetrics(persist_to=tmp_path / "metrics.json").observe(0.1, ok=True, model_seconds=0.1)
    again = RequestMetrics(persist_to=tmp_path / "metrics.json")
    again.observe(0.2, ok=True, model_seconds=0.2)
    assert read_counters(tmp_path / "metrics.json").requests == 2
    assert abs(again.snapshot().busy_seconds - 0.3) < 1e-9
