"""An endpoint's counters over time: sampled while it serves, plotted by the dashboard.

The counters an endpoint keeps are totals since it was deployed; a sample is those totals at one
moment. Rates come from consecutive samples (requests and errors per second over each stretch),
latency is the endpoint's own p50/p95 at that moment. The supervisor under ``sskai up`` samples
every serving endpoint at most once per ``SAMPLE_EVERY_SECONDS``; the metering adds one whenever
it reads the counters.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pandas as pd

from sskai.kinds import Status
from sskai.serving.health import check_health
from sskai.serving.requests import RequestCounters
from sskai.store.metadata import Endpoint, EndpointSample, utcnow
from sskai.store.stores import Stores

SAMPLE_EVERY_SECONDS = 30.0


def record_sample(stores: Stores, endpoint: Endpoint, counters: RequestCounters, at: datetime) -> EndpointSample:
    return stores.metadata.add(
        EndpointSample(
            owner=endpoint.owner,
            endpoint_id=endpoint.id,
            at=at,
            requests=counters.requests,
            errors=counters.errors,
            busy_seconds=counters.busy_seconds,
            latency_ms_p50=counters.latency_ms_p50,
            latency_ms_p95=counters.latency_ms_p95,
            retries=counters.retries,
            failed=counters.failed,
            status=Status.READY,
        )
    )


def sample_serving_endpoints(
    stores: Stores, now: datetime | None = None, every_seconds: float = SAMPLE_EVERY_SECONDS
) -> int:
    """One sample of each serving endpoint not sampled in the last ``every_seconds``; returns how many were taken.

    An endpoint that does not answer is left to the health check and the supervisor: no sample.
    """
    now = now or utcnow()
    taken = 0
    for endpoint in stores.metadata.list(Endpoint):
        if not Status(endpoint.status).is_serving:
            continue
        last = stores.metadata.latest(EndpointSample, endpoint_id=endpoint.id)
        if last is not None and now - last.at < timedelta(seconds=every_seconds):
            continue
        health = check_health(stores, endpoint)
        if health.alive and health.counters is not None:
            record_sample(stores, endpoint, health.counters, now)
            taken += 1
    return taken


def sample_frame(stores: Stores, endpoint_id: str) -> pd.DataFrame:
    """One row per stretch between samples: requests/s, errors/s (and a router's retries/s and failed/s) over
    it, and the latency at its end.

    A stretch whose totals went down (the counters of an endpoint deployed anew) starts afresh.
    """
    samples = sorted(stores.metadata.list(EndpointSample, endpoint_id=endpoint_id), key=lambda s: s.at)
    rows = []
    for before, after in itertools.pairwise(samples):
        seconds = (after.at - before.at).total_seconds()
        if seconds <= 0 or after.requests < before.requests:
            continue
        rows.append(
            {
                "at": after.at,
                "requests/s": (after.requests - before.requests) / seconds,
                "errors/s": max(after.errors - before.errors, 0) / seconds,
                "p50 ms": after.latency_ms_p50,
                "p95 ms": after.latency_ms_p95,
                "retries/s": max(after.retries - before.retries, 0) / seconds,
                "failed/s": max(after.failed - before.failed, 0) / seconds,
            }
        )
    return pd.DataFrame(rows, columns=["at", "requests/s", "errors/s", "p50 ms", "p95 ms", "retries/s", "failed/s"])
