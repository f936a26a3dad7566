"""A local endpoint whose process dies is started again at its URL, keeps its request counts, and the
restarts are bounded with back-off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from sskai.bundles.upload import upload_model
from sskai.catalog.versions import current_catalog
from sskai.costs.endpoint_metering import meter_endpoints
from sskai.kinds import Status
from sskai.processes import is_alive
from sskai.serving.client import predict
from sskai.serving.service import deploy_endpoint
from sskai.serving.supervisor import BACKOFF_SECONDS, RESTART_LIMIT, Supervision, supervise_once
from sskai.serving.targets import launch_config
from sskai.store.metadata import Endpoint, LogEntry
from tests.builders import SPOT
from tests.helpers import ROOT

INPUTS = np.zeros((1, 8), dtype=np.float32)


@pytest.fixture
def supervisor(home: Path) -> Iterator[subprocess.Popen]:
    """The supervisor as `sskai up` runs it: a process of its own, on this test's SSKAI_HOME."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sskai.serving.supervisor", "--interval", "0.5"],
        cwd=ROOT,
        env={**os.environ, "SSKAI_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    process.wait(timeout=10)


def wait_for(condition, timeout_seconds: float, what: str):
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout_seconds} s")


def test_a_killed_endpoint_is_restarted_at_its_url_and_keeps_its_request_counts(
    stores, example_zips, endpoints_cleanup, supervisor
) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, api_key = deploy_endpoint(stores, "mlp-ep", model, training=None, plan=SPOT)
    for _ in range(3):
        predict(record.url, api_key, INPUTS)

    os.killpg(record.pid, signal.SIGKILL)
    killed = time.monotonic()

    def restarted() -> Endpoint | None:
        now = stores.metadata.get(Endpoint, record.id)
        return now if now.status == Status.READY and now.pid != record.pid and is_alive(now.pid) else None

    again = wait_for(restarted, 30, "the endpoint was not restarted")
    assert time.monotonic() - killed < 15
    assert again.url == record.url  # its users keep their URL and key
    predict(again.url, api_key, INPUTS)
    assert httpx.get(f"{again.url}/metrics").json()["requests"] == 4  # the 3 served before the crash are kept
    meter_endpoints(stores, current_catalog(stores))
    assert stores.metadata.get(Endpoint, record.id).metered_requests == 4
    messages = [entry.message for entry in stores.metadata.list(LogEntry, resource_id=record.id)]
    assert any("is gone" in m for m in messages) and any("restarted at" in m for m in messages), messages
    assert Supervision.of(again).restarts == 1


def test_a_crash_the_monitor_noticed_first_is_restarted_too(stores, example_zips, endpoints_cleanup) -> None:
    """The monitor marks a dead endpoint failed; under supervision that is not the end of it."""
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, api_key = deploy_endpoint(stores, "mlp-ep", model, training=None, plan=SPOT)
    os.killpg(record.pid, signal.SIGKILL)
    wait_for(lambda: not is_alive(record.pid), 10, "the endpoint did not die")
    meter_endpoints(stores, current_catalog(stores))
    assert stores.metadata.get(Endpoint, record.id).status == Status.FAILED
    assert supervise_once(stores) == ["mlp-ep: restarted (1)"]
    again = stores.metadata.get(Endpoint, record.id)
    assert again.status == Status.READY and predict(again.url, api_key, INPUTS).shape == (1, 1)


def test_restarts_back_off_and_end_in_failure_with_the_reason(stores, example_zips, endpoints_cleanup) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, _ = deploy_endpoint(stores, "mlp-ep", model, training=None, plan=SPOT)
    broken = launch_config(record).model_copy(update={"bundle_dir": str(stores.settings.home / "no-such-bundle")})
    stores.metadata.update(Endpoint, record.id, launch=broken.stored())
    os.killpg(record.pid, signal.SIGKILL)
    wait_for(lambda: not is_alive(record.pid), 10, "the endpoint did not die")

    # A whole second: the store keeps microseconds, and a time that does not round-trip would put each back-off's
    # end a fraction of a microsecond after the instant the test asks at.
    down = float(int(time.time()))
    assert supervise_once(stores, now=down) == ["mlp-ep: restart 1 failed"]
    # The second attempt waits out its back-off, then tries.
    assert supervise_once(stores, now=down + BACKOFF_SECONDS[1] - 0.5) == []
    assert stores.metadata.get(Endpoint, record.id).status == Status.RESTARTING
    for attempt in range(2, RESTART_LIMIT + 1):
        assert supervise_once(stores, now=down + BACKOFF_SECONDS[attempt - 1]) == [f"mlp-ep: restart {attempt} failed"]
    assert supervise_once(stores, now=down + 3600) == ["mlp-ep: gave up"]
    final = stores.metadata.get(Endpoint, record.id)
    assert final.status == Status.FAILED and "gave up" in final.status_reason
    assert supervise_once(stores, now=down + 7200) == []  # given up stays given up
    errors = [e.message for e in stores.metadata.list(LogEntry, resource_id=record.id) if e.level == "ERROR"]
    assert any("no-such-bundle" in message for message in errors), errors
