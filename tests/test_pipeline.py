"""The whole pipeline as Prefect flows on the embedded default: ends with a live endpoint and a cost ledger."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.sorting import FlowRunSort

from flows.pipeline import pipeline_flow
from sskai.monitoring import cost_frame, cost_rollup
from sskai.serving.client import predict
from sskai.store.metadata import Endpoint, LogEntry, Profile, Recommendation, Status, Training

pytestmark = pytest.mark.usefixtures("ray_cluster")


async def _runs_by_flow() -> dict[str, list[str]]:
    async with get_client() as client:
        runs = await client.read_flow_runs(limit=200, sort=FlowRunSort.START_TIME_DESC)
        flows = {f.id: f.name for f in await client.read_flows(limit=200)}
    by_flow: dict[str, list[str]] = {}
    for run in runs:
        by_flow.setdefault(flows[run.flow_id], []).append(run.state.type.value)
    return by_flow


def test_pipeline_on_the_gpt_example(stores, endpoints_cleanup) -> None:
    summary = pipeline_flow(example="gpt", train_config={"epochs": 2})
    endpoint = summary["endpoint"]

    tokens = (np.arange(32)[None, :] * 2 % 64).astype(np.int64)
    logits = predict(endpoint["url"], endpoint["api_key"], tokens)
    assert logits.shape == (1, 32, 64)
    assert np.asarray(summary["sample_outputs"]).shape == (1, 32, 64)
    assert httpx.get(f"{endpoint['url']}/health").json()["status"] == "ok"

    training = stores.metadata.get(Training, summary["training_id"])
    assert training.status == Status.SUCCEEDED and len(training.history) == 2
    assert stores.metadata.list(Profile)[0].status == Status.SUCCEEDED
    plan = stores.metadata.list(Recommendation)[0].plan
    assert training.instance_type == plan["training"]["instance_type"]
    assert stores.metadata.get(Endpoint, endpoint["endpoint_id"]).target == plan["serving"]["target"]

    by_kind = cost_rollup(cost_frame(stores), by="kind").set_index("kind")
    assert {"training", "endpoint"} <= set(by_kind.index)
    assert by_kind.loc["training", "paid_usd"] < by_kind.loc["training", "baseline_usd"]
    assert [row["kind"] for row in summary["costs"]] == sorted(by_kind.index)
    assert stores.metadata.list(LogEntry, resource_kind="training")

    runs = asyncio.run(_runs_by_flow())
    for name in ("pipeline", "upload", "profile", "recommend", "train", "deploy", "monitor"):
        assert "COMPLETED" in runs.get(name, []), f"flow {name} has no completed run on the Prefect server: {runs}"
