"""The hostile-input suite: user code and uploads that try to take, break or outlive the platform.

Each case was a real failure once (see the issue "User code is untrusted"); each test reproduces it
against the real parts: the sandbox's kernel confinement, profiling and endpoint processes, a
training on a Ray cluster of its own, the metadata store and the artifact store."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from sskai.bundles.upload import upload_model
from sskai.kinds import Status
from sskai.processes import is_alive
from sskai.serving.process import EndpointLimits
from sskai.serving.service import deploy_endpoint
from sskai.store.metadata import Endpoint
from tests.builders import SPOT
from tests.helpers import make_zip
from tests.security.probes import (
    SPEC,
    assert_untouched,
    confined,
    processes_named,
    upload_tampering_model,
    victim_endpoint,
)


@confined
def test_a_served_model_finds_neither_secrets_nor_the_database(
    stores, secrets_around, tmp_path, endpoints_cleanup
) -> None:
    model = upload_tampering_model(stores, tmp_path)
    victim = victim_endpoint(stores, model)
    record, key = deploy_endpoint(stores, "tamper", model, None, SPOT)
    answer = httpx.post(f"{record.url}/v1/predict", json={"inputs": [[1.0, 2.0]]}, headers={"x-api-key": key})
    assert answer.status_code == 200, answer.text
    assert_untouched(stores, victim)


SLEEPY = (
    "import time\nfrom torch import nn\n\nclass ModelClass(nn.Linear):\n    def __init__(self):\n"
    "        super().__init__(2, 1)\n\n    def forward(self, x):\n"
    "        if float(x.sum()) > 100:\n            time.sleep(60)\n        return super().forward(x)\n"
)


def test_a_sleeping_model_times_one_request_out_while_health_answers(stores, tmp_path, endpoints_cleanup) -> None:
    model = upload_model(stores, "sleepy", make_zip(tmp_path / "s.zip", {"model.py": SLEEPY, "sskai.json": SPEC}))
    record, key = deploy_endpoint(
        stores,
        "sleepy",
        model,
        None,
        SPOT,
        limits=EndpointLimits.of(stores.settings).model_copy(update={"timeout_seconds": 3}),
    )
    headers = {"x-api-key": key}
    slow: dict[str, httpx.Response] = {}
    request = threading.Thread(
        target=lambda: slow.setdefault(
            "answer",
            httpx.post(f"{record.url}/v1/predict", json={"inputs": [[99.0, 99.0]]}, headers=headers, timeout=30),
        )
    )
    request.start()
    time.sleep(0.5)
    started = time.monotonic()
    health = httpx.get(f"{record.url}/health", timeout=2)
    assert health.status_code == 200 and time.monotonic() - started < 1.0
    request.join(timeout=30)
    assert slow["answer"].status_code == 504 and "did not answer within 3 s" in slow["answer"].json()["error"]
    deadline = time.monotonic() + 60
    while True:  # the worker is replaced; the next request is served
        answer = httpx.post(f"{record.url}/v1/predict", json={"inputs": [[1.0, 2.0]]}, headers=headers, timeout=30)
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        assert answer.status_code == 503
    assert answer.status_code == 200
    assert httpx.get(f"{record.url}/metrics").json()["timeouts"] == 1
    assert len(worker_processes(record, stores)) == 1  # the replacement; nothing of the sleeping worker is left


def worker_processes(record: Endpoint, stores) -> list[int]:
    return processes_named(str(stores.settings.endpoints_dir / record.id / "workers"))


def test_a_killed_endpoint_takes_its_workers_with_it(stores, example_zips, endpoints_cleanup) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, _ = deploy_endpoint(stores, "mlp", model, None, SPOT)
    assert worker_processes(record, stores)
    os.kill(record.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while worker_processes(record, stores) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker_processes(record, stores) == []


@pytest.mark.usefixtures("prefect_server")
def test_the_cli_stops_an_endpoint_marked_failed_that_ignores_sigterm(stores, example_zips, endpoints_cleanup) -> None:
    from typer.testing import CliRunner

    from ui.cli import app

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, _ = deploy_endpoint(stores, "mlp", model, None, SPOT)
    os.kill(record.pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
    stores.metadata.set_status(Endpoint, record.id, Status.FAILED, "the monitor saw no /health")
    stopped = CliRunner().invoke(app, ["endpoints", "stop", "mlp"])
    assert stopped.exit_code == 0 and "stopped 1 endpoint(s) named mlp" in stopped.output, stopped.output
    assert stores.metadata.get(Endpoint, record.id).status == Status.STOPPED
    assert not is_alive(record.pid) or Path(f"/proc/{record.pid}/stat").read_text().split(") ")[1].startswith("Z")
    assert worker_processes(record, stores) == []
