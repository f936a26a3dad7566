"""Rates over time from an endpoint's totals: per stretch between samples, afresh after a redeploy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sskai.kinds import ServingKind
from sskai.serving.requests import RequestCounters
from sskai.serving.samples import record_sample, sample_frame
from sskai.store.metadata import Endpoint, Model, utcnow


def test_rates_are_per_stretch_and_a_reset_starts_afresh(stores) -> None:
    owner = stores.settings.owner
    model = stores.metadata.add(
        Model(owner=owner, name="mlp", version=1, content_sha256="0" * 64, artifact_key="k", size_bytes=1)
    )
    endpoint = stores.metadata.add(
        Endpoint(owner=owner, name="mlp", model_id=model.id, kind=ServingKind.SPOT, runtime="local", api_key_sha256="0")
    )
    start = utcnow()
    for seconds, requests, errors in ((0, 10, 0), (30, 70, 3), (60, 5, 0), (90, 35, 0)):  # a redeploy after 30 s
        counters = RequestCounters(requests=requests, errors=errors, latency_ms_p50=2.0, latency_ms_p95=9.0)
        record_sample(stores, endpoint, counters, start + timedelta(seconds=seconds))
    frame = sample_frame(stores, endpoint.id)
    assert frame["requests/s"].tolist() == pytest.approx([2.0, 1.0])  # 60 in 30 s; the reset stretch left out
    assert frame["errors/s"].tolist() == pytest.approx([0.1, 0.0]) and frame["p95 ms"].tolist() == [9.0, 9.0]
