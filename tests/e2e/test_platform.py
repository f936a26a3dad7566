"""`sskai up` brings the local platform up as a service; runs triggered through the Prefect API complete on
its worker; a second `up` starts nothing twice; `sskai down` leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from sskai.processes import is_alive
from sskai.serving.client import predict
from sskai.serving.process import free_port
from sskai.store.metadata import Dataset, Endpoint
from sskai.store.stores import open_stores
from tests.browser import open_page
from tests.helpers import ROOT

# st.code blocks (highlighted or not: Streamlit picks the element), and an API key as sskai makes them.
SHOWN_CODE = "JSON.stringify([...document.querySelectorAll('[data-testid^=stCode]')].map(e => e.innerText))"
API_KEY = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{43}(?![\w-])")
DRAWN = "document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= {}"  # charts drawn


def sskai(*arguments: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def newest_run_ended(api: str, parameter: str, timeout_seconds: float) -> dict | None:
    """The newest flow run given ``parameter``, once it has ended (or as it is when the time is up)."""
    deadline = time.monotonic() + timeout_seconds
    newest = None
    while time.monotonic() < deadline:
        runs = [r for r in httpx.post(f"{api}/flow_runs/filter", json={}).json() if parameter in r["parameters"]]
        newest = runs[0] if runs else None
        if newest and newest["state_type"] in ("COMPLETED", "FAILED", "CRASHED"):
            break
        time.sleep(2)
    return newest


@pytest.fixture
def local_platform(home: Path) -> Iterator[tuple[dict[str, str], int]]:
    """The environment of a user with their own SSKAI_HOME, and the Prefect port; `sskai down` on the way out."""
    env = {**os.environ, "SSKAI_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    port = free_port()
    yield env, port
    sskai("down", env=env)


def test_up_runs_a_flow_from_the_api_starts_nothing_twice_and_down_ends_everything(local_platform, tmp_path) -> None:
    env, port = local_platform
    dashboard_port = free_port()
    first = sskai("up", "--prefect-port", str(port), "--dashboard-port", str(dashboard_port), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    services = json.loads((Path(env["SSKAI_HOME"]) / "platform" / "services.json").read_text())
    assert set(services) == {"prefect-server", "worker", "dashboard", "supervisor"}
    api = f"http://127.0.0.1:{port}/api"
    assert httpx.get(f"{api}/health").status_code == 200
    assert httpx.get(f"http://127.0.0.1:{dashboard_port}/_stcore/health").status_code == 200
    names = {d["name"] for d in httpx.post(f"{api}/deployments/filter", json={}).json()}
    assert {"upload", "train", "deploy", "monitor", "pricing-refresh", "pipeline"} <= names

    # Runs triggered through the Prefect API, executed by the platform's worker: upload, profile, recommend.
    script = (
        "import sys, pathlib; from sskai.examples import build_example; "
        "from prefect.deployments import run_deployment; "
        "model, data = build_example('mlp', pathlib.Path(sys.argv[1])); "
        "parameters = {'model_name': 'mlp', 'model_zip': str(model), 'dataset_name': 'mlp', 'dataset_zip': str(data)}; "
        "run = run_deployment('upload/upload', parameters=parameters, timeout=240); "
        "print(run.state.type.value); "
        "print(run_deployment('profile/profile', parameters={'model_name': 'mlp'}, timeout=240).state.type.value); "
        "print(run_deployment('recommend/recommend', parameters={'model_name': 'mlp'}, timeout=240).state.type.value)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        env={**env, "PREFECT_API_URL": api},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.stdout.split() == ["COMPLETED"] * 3, run.stdout + run.stderr[-2000:]
    # The new dataset version's event triggers the retrain deployment (nothing serves yet: it retrains nothing).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runs = httpx.post(f"{api}/flow_runs/filter", json={}).json()
        retrains = [r for r in runs if r["parameters"].get("dataset_name") == "mlp"]
        if retrains and retrains[0]["state_type"] == "COMPLETED":
            break
        time.sleep(2)
    assert retrains and retrains[0]["state_type"] == "COMPLETED", runs
    # A training started from the dashboard, in headless Chromium, runs through the train deployment.
    with open_page(f"http://127.0.0.1:{dashboard_port}/", tmp_path / "chromium") as page:
        text = page.wait_for_text("Recent flow runs")
        assert "not reachable" not in text  # the dashboard reads the flow runs from the platform's server
        page.click("label", "Train")
        page.click("summary", "Start a training")
        page.wait_for_text("Epochs", "Start training")
        page.click("button", "Start training")
        page.wait_for_text("training started: flow run")
        page.screenshot(tmp_path / "train-page.png")
    training = newest_run_ended(api, "config", 240)
    assert training and training["state_type"] == "COMPLETED", training

    # The trained model deployed from the Inference page (through the deploy deployment): its key is
    # shown there once, and only there (the run's result holds it masked); then stopped from the page.
    with open_page(f"http://127.0.0.1:{dashboard_port}/", tmp_path / "chromium") as page:
        page.click("label", "Inference")
        page.click("summary", "Deploy an endpoint")
        page.type_into("[data-testid=stForm] input[type=text]", "web")
        page.click("button", "Deploy")
        shown = page.wait_for_text("endpoint web deployed", "shown this once", timeout_seconds=240)
        page.wait_for("document.querySelectorAll('[data-testid^=stCode]').length > 0")
        codes = json.loads(page.call("Runtime.evaluate", expression=SHOWN_CODE)["result"]["value"])
    [web] = [e for e in open_stores().metadata.list(Endpoint) if e.name == "web"]
    keys = set(API_KEY.findall("\n".join(codes)))
    assert len(keys) == 1, (codes, shown[-800:])
    [key] = keys
    assert predict(web.url, key, np.zeros((1, 8), np.float32)).shape == (1, 1)
    deployed = httpx.post(f"{api}/flow_runs/filter", json={}).json()
    assert key not in json.dumps(deployed)  # not in any run's parameters or state
    with open_page(f"http://127.0.0.1:{dashboard_port}/", tmp_path / "chromium") as page:
        page.click("label", "Inference")
        page.click("summary", "Stop an endpoint")
        page.click("button", "Stop")
        page.wait_for_text("stopped endpoint web")
    assert open_stores().metadata.get(Endpoint, web.id).status == "stopped" and not is_alive(web.pid)

    # A budget below what the training cost: the monitor's projection crosses it, and the alert is delivered.
    assert sskai("budget", "set", "0.000001", env=env).returncode == 0
    monitor = subprocess.run(
        [
            sys.executable,
            "-c",
            "from prefect.deployments import run_deployment; "
            "print(run_deployment('monitor/monitor', timeout=240).state.type.value)",
        ],
        cwd=ROOT,
        env={**env, "PREFECT_API_URL": api},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert monitor.stdout.strip().endswith("COMPLETED"), monitor.stdout + monitor.stderr[-2000:]
    alert = newest_run_ended(api, "alert_id", 120)  # started by the budget-alert deployment's trigger
    assert alert and alert["state_type"] == "COMPLETED", alert
    budget = sskai("budget", env=env).stdout
    assert "of the <$0.0001 budget" in budget and "delivered" in budget and "not delivered" not in budget, budget

    # A dataset uploaded from the Data page goes through the upload deployment; deleting it goes through delete.
    with open_page(f"http://127.0.0.1:{dashboard_port}/", tmp_path / "chromium") as page:
        page.click("label", "Data")
        page.click("summary", "Upload a dataset")
        page.type_into("[data-testid=stForm] input[type=text]", "fresh")
        page.set_files("[data-testid=stForm] input[type=file]", tmp_path / "mlp-data.zip")
        page.wait_for_text("mlp-data.zip")
        time.sleep(2)  # the file is listed before its bytes have reached the dashboard's server
        page.click("button", "Store the dataset")
        page.wait_for_text("upload started: flow run")
    metadata = open_stores().metadata
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not metadata.list(Dataset, name="fresh"):
        time.sleep(2)
    [fresh] = metadata.list(Dataset, name="fresh")
    with open_page(f"http://127.0.0.1:{dashboard_port}/", tmp_path / "chromium") as page:
        page.click("label", "Data")
        page.click("summary", "Delete a dataset version")
        page.click("button", "Delete")  # the newest version is the one offered first
        page.wait_for_text("deleted dataset fresh v1")
    assert metadata.get(Dataset, fresh.id).status == "stopped"

    # Every page, as a user sees it (kept for the closing note when SSKAI_SCREENSHOT_DIR names a folder).
    shots = Path(os.environ.get("SSKAI_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with open_page(f"http://127.0.0.1:{dashboard_port}/", tmp_path / "chromium") as page:
        page.wait_for_text("Budget alert", "Recent flow runs", "Cumulative cost over time")
        page.wait_for(DRAWN.format(2))
        time.sleep(2)  # tables draw after their titles
        page.screenshot(shots / "dashboard.png")
        for name, shown in (
            ("Data", "Datasets"),
            ("Models", "Profile"),
            ("Train", "Loss curves"),
            ("Inference", "Endpoints"),
        ):
            page.click("label", name)
            page.wait_for_text(shown)
            if name == "Train":
                page.wait_for(DRAWN.format(2))  # the node timeline and the loss curves
            time.sleep(2)
            page.screenshot(shots / f"{name.lower()}.png")
    listed = sskai("status", env=env)
    assert listed.stdout.count("running") == 4, listed.stdout

    again = sskai("up", "--prefect-port", str(port), "--dashboard-port", str(dashboard_port), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads((Path(env["SSKAI_HOME"]) / "platform" / "services.json").read_text()) == services

    down = sskai("down", env=env)
    assert down.returncode == 0 and "prefect-server" in down.stdout
    assert not [name for name, service in services.items() if is_alive(service["pid"])]
    assert sskai("status", env=env).stdout.count("stopped") == 4
