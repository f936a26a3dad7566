"""Request counters (prometheus_client): what the metering bills, kept across an endpoint's restarts and kills."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sskai.serving.requests import MULTIPROCESS_VARIABLE, RequestMetrics, read_counters


def test_busy_seconds_are_the_models_seconds_not_the_wait() -> None:
    metrics = RequestMetrics()
    metrics.observe(1.0, ok=True, model_seconds=0.25)  # waited 0.75 s in the queue
    metrics.observe(2.0, ok=False, model_seconds=0.0)  # no worker took it (503)
    metrics.observe(0.5, ok=False, timed_out=True)  # the model ran all of it
    counters = metrics.snapshot()
    assert (counters.requests, counters.errors, counters.timeouts) == (3, 2, 1)
    assert counters.busy_seconds == 0.75
    assert 500.0 < counters.latency_ms_p50 <= 1000.0  # latency is the client's: the wait counts there


def test_latency_percentiles_come_from_the_histogram() -> None:
    metrics = RequestMetrics()
    for _ in range(95):
        metrics.observe(0.003, ok=True)
    for _ in range(5):
        metrics.observe(0.2, ok=True)
    counters = metrics.snapshot()
    assert 2.5 <= counters.latency_ms_p50 <= 5.0 and 5.0 <= counters.latency_ms_p95 <= 100.0
    assert metrics.snapshot().requests == 100


def test_a_scraper_gets_the_prometheus_text_format() -> None:
    metrics = RequestMetrics()
    metrics.observe(0.01, ok=True, model_seconds=0.004)
    text = metrics.exposition().decode()
    assert 'sskai_requests_total{outcome="ok"} 1.0' in text and "sskai_model_seconds_total 0.004" in text
    assert 'sskai_request_seconds_bucket{le="0.025"} 1.0' in text


SERVE_THEN_DIE = """
import os, signal, sys
from pathlib import Path
from sskai.serving.requests import RequestMetrics
metrics = RequestMetrics(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
for _ in range(int(sys.argv[1])):
    metrics.observe(0.01, ok=True, model_seconds=0.01)
if sys.argv[2] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_counts_outlive_a_killed_endpoint_and_add_up_across_restarts(tmp_path: Path) -> None:
    """Three endpoint processes in turn, the second SIGKILLed: every request they served is still counted."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    environment = {**os.environ, MULTIPROCESS_VARIABLE: str(folder)}
    for served, end in ((3, "exits"), (4, "killed"), (5, "exits")):
        subprocess.run([sys.executable, "-c", SERVE_THEN_DIE, str(served), end], env=environment, check=False)
    counters = read_counters(folder)
    assert counters.requests == 12 and abs(counters.busy_seconds - 0.12) < 1e-9


def test_an_endpoint_from_before_prometheus_left_json(tmp_path: Path) -> None:
    kept = tmp_path / "metrics.json"
    kept.write_text('{"requests": 7, "errors": 1, "timeouts": 0, "busy_seconds": 0.5}')
    assert read_counters(kept).requests == 7 and read_counters(tmp_path / "missing.json").requests == 0
