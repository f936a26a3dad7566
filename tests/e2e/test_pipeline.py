"""The whole pipeline as Prefect flows on the embedded default, then the dashboard over what it left.

The pipeline runs once for this module; its stores feed the dashboard checks (streamlit.testing and
headless Chromium), so the dashboard is tested on real records, not hand-made ones."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.sorting import FlowRunSort
from streamlit.testing.v1 import AppTest

from flows.pipeline import pipeline_flow
from sskai.costs.ledger import cost_frame, ledger_rows
from sskai.costs.money import dollars
from sskai.examples import EXAMPLES
from sskai.kinds import LedgerGrouping, Status
from sskai.serving.client import predict
from sskai.serving.process import free_port
from sskai.store.metadata import Endpoint, LogEntry, Profile, RecommendationRecord, Training
from sskai.store.stores import open_stores
from tests.browser import open_page
from tests.helpers import ROOT

# Its tests share one module-scoped pipeline run: they run in one test process.
pytestmark = pytest.mark.xdist_group("pipeline")

DASHBOARD = str(ROOT / "ui" / "dashboard.py")


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory, ray_cluster, prefect_server) -> Iterator[tuple]:
    with pytest.MonkeyPatch.context() as env:  # this module's state folder, undone after its last test
        env.setenv("SSKAI_HOME", str(tmp_path_factory.mktemp("pipeline-home")))
        env.setenv("SSKAI_OWNER", "tester")
        env.delenv("SSKAI_DATABASE_URL", raising=False)
        env.delenv("SSKAI_ARTIFACT_URL", raising=False)
        stores = open_stores()
        summary = pipeline_flow(
            example="gpt", train_config=EXAMPLES["gpt"].train_config.model_copy(update={"epochs": 2})
        )
        yield stores, summary
        from sskai.serving.service import stop_stored_endpoint

        for record in stores.metadata.list(Endpoint, status=Status.READY):
            stop_stored_endpoint(stores, record.id, reason="test finished")


async def _runs_by_flow() -> dict[str, list[str]]:
    async with get_client() as client:
        runs = await client.read_flow_runs(limit=200, sort=FlowRunSort.START_TIME_DESC)
        flows = {f.id: f.name for f in await client.read_flows(limit=200)}
    by_flow: dict[str, list[str]] = {}
    for run in runs:
        by_flow.setdefault(flows[run.flow_id], []).append(run.state.type.value)
    return by_flow


def test_pipeline_on_the_gpt_example(pipeline_run) -> None:
    stores, summary = pipeline_run
    endpoint = summary.endpoint

    tokens = (np.arange(32)[None, :] * 2 % 64).astype(np.int64)
    logits = predict(endpoint.url, endpoint.api_key.get_secret_value(), tokens)
    assert logits.shape == (1, 32, 64)
    assert np.asarray(summary.sample_outputs).shape == (1, 32, 64)
    assert httpx.get(f"{endpoint.url}/health").json()["status"] == "ok"

    training = stores.metadata.get(Training, summary.training_id)
    assert training.status == Status.SUCCEEDED and len(training.history) == 2
    assert stores.metadata.list(Profile)[0].status == Status.SUCCEEDED
    plan = stores.metadata.list(RecommendationRecord)[0].plan
    assert training.instance_type == plan["training"]["instance_type"]
    assert stores.metadata.get(Endpoint, endpoint.endpoint_id).kind == plan["serving"]["kind"]

    by_kind = {row.group: row for row in ledger_rows(cost_frame(stores), LedgerGrouping.KIND)}
    assert {"training", "endpoint"} <= set(by_kind)
    assert by_kind["training"].paid_usd < by_kind["training"].instead_usd
    # Worker nodes at spot, the head on demand: the saving is against the same nodes on demand.
    assert "% saved vs on-demand " in by_kind["training"].saving
    assert training.instance_type in by_kind["training"].saving
    assert [row.group for row in summary.costs] == sorted(by_kind)
    assert stores.metadata.list(LogEntry, resource_kind="training")

    runs = asyncio.run(_runs_by_flow())
    for name in ("pipeline", "upload", "profile", "recommend", "train", "deploy", "monitor"):
        assert "COMPLETED" in runs.get(name, []), f"flow {name} has no completed run on the Prefect server: {runs}"


def test_dashboard_pages_show_what_the_pipeline_did(pipeline_run) -> None:
    stores, _ = pipeline_run
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not app.exception
    frame = cost_frame(stores)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Paid"] == dollars(frame["paid_usd"].sum())
    assert metrics["On demand would have cost"] == dollars(frame["alternative_usd"].sum())
    assert metrics["SageMaker would have cost"] == dollars(frame["managed_usd"].dropna().sum())
    assert metrics["Month to date"] == dollars(frame["paid_usd"].sum())  # all of it ran this month
    assert len(app.get("vega_lite_chart")) == 2  # cumulative cost over time, and cost by resource
    runs = app.dataframe[0].value  # the flow runs, with their state, read from the Prefect API
    assert ("pipeline", "Completed") in set(zip(runs["flow"], runs["state"], strict=True))

    app.sidebar.radio[0].set_value("Train").run()
    assert not app.exception
    assert [e.label for e in app.expander] == ["Start a training"]
    assert "Loss curves" in [h.value for h in app.subheader]
    assert "Nodes, preemptions, checkpoints and the spot policy's decisions" in [h.value for h in app.subheader]
    app.sidebar.radio[0].set_value("Models").run()
    assert any(h.value.startswith("Serve: ") for h in app.subheader)
    app.sidebar.radio[0].set_value("Data").run()
    assert app.dataframe[0].value["name"].tolist() == ["gpt"]
    app.sidebar.radio[0].set_value("Inference").run()
    assert not app.exception
    served = {m.label: m.value for m in app.metric}  # the running endpoint's counters, as figures
    assert int(served["Requests served"].replace(",", "")) >= 1 and served["Latency p50"].endswith(" ms")
    assert app.text_area[0].value == json.dumps([[0] * 32])  # the request form starts in the model's input shape


def test_dashboard_renders_in_headless_chromium(pipeline_run, tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            DASHBOARD,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        with open_page(f"http://127.0.0.1:{port}/", tmp_path / "profile") as page:
            text = page.wait_for_text("Spend and savings", "Cumulative cost over time", "Saved")
            stores, _ = pipeline_run
            page.wait_for_text(dollars(cost_frame(stores)["paid_usd"].sum()))
            page.wait_for("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 2")
            assert "Traceback" not in text
            shot = page.screenshot(tmp_path / "dashboard.png")
        assert shot.stat().st_size > 20_000
        if os.environ.get("SSKAI_SCREENSHOT_DIR"):
            shutil.copy(shot, Path(os.environ["SSKAI_SCREENSHOT_DIR"]) / "dashboard.png")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
