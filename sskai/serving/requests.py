"""What a request may carry and how requests are counted: the server's side, without torch.

The HTTP server checks every request against the model's declaration before a worker sees it, and
never imports torch itself, so it starts fast and stays small.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import BaseModel, ConfigDict

from sskai.bundles.spec import ModelSpec
from sskai.bundles.validation import check_inputs
from sskai.errors import BundleError

MAX_BATCH = 1024


def check_request(inputs: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """The batch a request asks for, checked against the declaration and the batch limit (BundleError if not)."""
    batch = check_inputs(inputs, spec)
    if len(batch) > MAX_BATCH:
        raise BundleError(f"batch of {len(batch)} is over the limit of {MAX_BATCH}")
    return batch


COUNTERS = ("requests", "errors", "timeouts", "busy_seconds")
# End-to-end latency buckets (seconds): fine where endpoints answer, coarse where a request times out.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# An endpoint process counts into memory-mapped files in this folder (beside its log): see RequestMetrics.
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


class RequestCounters(BaseModel):
    """What an endpoint counted since it was deployed (kept across its restarts), and its latency.

    ``/metrics`` answers with it (as JSON; as Prometheus text to a scraper), the metering and the
    dashboard read it.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    requests: int = 0
    errors: int = 0
    timeouts: int = 0
    busy_seconds: float = 0.0
    uptime_seconds: float | None = None
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None
    # A replicated endpoint's router: requests sent again to another replica, and those no replica answered.
    retries: int = 0
    failed: int = 0


def read_counters(path: Path) -> RequestCounters:
    """The counters a dead endpoint left: its metrics folder, or (from before sskai used Prometheus) a JSON file.

    Zeros when there are none or they are unreadable.
    """
    if path.is_dir():
        try:
            return counters_from(_multiprocess_registry(path))
        except (OSError, ValueError):
            return RequestCounters()
    try:
        stored = json.loads(path.read_text())
        return RequestCounters(**{name: float(stored.get(name, 0)) for name in COUNTERS})
    except (OSError, ValueError, TypeError, AttributeError):
        return RequestCounters()


def _multiprocess_registry(folder: Path) -> CollectorRegistry:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    return registry


def counters_from(registry: CollectorRegistry, uptime_seconds: float | None = None) -> RequestCounters:
    """The counters and latency percentiles in a registry that holds RequestMetrics' metrics."""
    outcomes: dict[str, float] = {}
    model_seconds, buckets = 0.0, {}
    for family in registry.collect():
        for sample in family.samples:
            if sample.name == "sskai_requests_total":
                outcomes[sample.labels["outcome"]] = outcomes.get(sample.labels["outcome"], 0.0) + sample.value
            elif sample.name == "sskai_model_seconds_total":
                model_seconds += sample.value
            elif sample.name == "sskai_request_seconds_bucket":
                bound = float(sample.labels["le"])
                buckets[bound] = buckets.get(bound, 0.0) + sample.value
    cumulative = sorted(buckets.items())
    return RequestCounters(
        requests=int(sum(outcomes.values())),
        errors=int(outcomes.get("error", 0) + outcomes.get("timeout", 0)),
        timeouts=int(outcomes.get("timeout", 0)),
        busy_seconds=model_seconds,
        uptime_seconds=uptime_seconds,
        latency_ms_p50=_quantile_ms(cumulative, 0.50),
        latency_ms_p95=_quantile_ms(cumulative, 0.95),
    )


def _quantile_ms(cumulative: list[tuple[float, float]], q: float) -> float | None:
    """Prometheus' ``histogram_quantile``: linear within the bucket the rank falls in (milliseconds)."""
    if not cumulative or cumulative[-1][1] == 0:
        return None
    rank, lower, below = q * cumulative[-1][1], 0.0, 0.0
    for bound, count in cumulative:
        if count >= rank:
            if bound == float("inf"):
                return lower * 1000.0  # past the last finite bucket: its bound is all that is known
            share = (rank - below) / (count - below) if count > below else 1.0
            return (lower + (bound - lower) * share) * 1000.0
        lower, below = bound, count
    return lower * 1000.0


class RequestMetrics:
    """Requests by outcome, the model's seconds and a latency histogram, as Prometheus metrics.

    An endpoint process is started with ``PROMETHEUS_MULTIPROC_DIR`` set to its metrics folder (which
    prometheus_client reads as it is imported) and given that ``folder``, so it counts into
    memory-mapped files there as each request ends: a restarted
    endpoint's counts add to those before it (its metering neither loses the requests served before
    it died nor counts them twice), and a killed one leaves them behind. Without a folder (a test, a
    benchmark in one process) the counts live in this object's own registry.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.started_at = time.time()
        self.folder = folder
        own = None if folder else CollectorRegistry()  # in files, metrics are collected from the folder
        self._requests = Counter("sskai_requests", "Requests answered, by outcome", ["outcome"], registry=own)
        self._model_seconds = Counter("sskai_model_seconds", "Seconds the model ran for requests", registry=own)
        self._latency = Histogram(
            "sskai_request_seconds", "End-to-end latency of a request", buckets=LATENCY_BUCKETS, registry=own
        )
        self._own = own

    def observe(self, seconds: float, ok: bool, timed_out: bool = False, model_seconds: float | None = None) -> None:
        """One request that took ``seconds`` end to end; ``model_seconds`` of it the model ran (default: all).

        ``busy_seconds`` adds up the model's seconds only: a request waiting in the queue costs a
        serverless function nothing, so the metering does not bill it.
        """
        self._requests.labels("timeout" if timed_out else "ok" if ok else "error").inc()
        self._model_seconds.inc(seconds if model_seconds is None else model_seconds)
        self._latency.observe(seconds)

    @property
    def registry(self) -> CollectorRegistry:
        """Every count, this process's and (in files) those of the endpoint's earlier processes."""
        return self._own if self._own is not None else _multiprocess_registry(self.folder)

    def exposition(self) -> bytes:
        """The Prometheus text format, for a scraper."""
        return generate_latest(self.registry)

    def snapshot(self) -> RequestCounters:
        return counters_from(self.registry, uptime_seconds=time.time() - self.started_at)
