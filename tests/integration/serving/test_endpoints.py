"""Endpoints are real HTTP servers in their own process: JSON, .npy and safetensors, API keys, clear errors."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from safetensors.numpy import save

from sskai.bundles.upload import upload_model
from sskai.costs.endpoint_metering import meter_endpoints
from sskai.errors import EndpointError
from sskai.kinds import Status
from sskai.processes import is_alive
from sskai.serving.client import predict
from sskai.serving.samples import sample_frame, sample_serving_endpoints
from sskai.serving.service import deploy_endpoint, stop_stored_endpoint
from sskai.store.metadata import Endpoint, EndpointSample, LogEntry
from tests.builders import SPOT, _npy

# Its tests share one module-scoped endpoint: they run in one test process.
pytestmark = pytest.mark.xdist_group("served-endpoint")


def _forged_npy_header() -> bytes:
    """A .npy whose header claims 4,000,000 x 4,000 float32s (64 GB) followed by 16 bytes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f4", "fortran_order": False, "shape": (4_000_000, 4_000)})
    return buffer.getvalue() + b"\0" * 16


def two_input_model(forward: str) -> str:
    """A model.py: a 2-to-1 linear model whose ``forward`` body is ``forward``."""
    return (
        "from torch import nn\n\nclass ModelClass(nn.Linear):\n    def __init__(self):\n"
        f"        super().__init__(2, 1)\n\n    def forward(self, x):\n        {forward}\n"
    )


@pytest.fixture(scope="module")
def served(example_zips, tmp_path_factory: pytest.TempPathFactory):
    """One endpoint for the tests that only send it requests: a deploy costs seconds, a request nothing."""
    from sskai.store.stores import open_stores

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSKAI_HOME", str(tmp_path_factory.mktemp("served-home")))
        patch.setenv("SSKAI_OWNER", "tester")
        for variable in ("SSKAI_DATABASE_URL", "SSKAI_ARTIFACT_URL", "SSKAI_SETTINGS_BLOCK"):
            patch.delenv(variable, raising=False)
        stores = open_stores()
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, api_key = deploy_endpoint(stores, "mlp-ep", model, training=None, plan=SPOT)
    yield record, api_key
    stop_stored_endpoint(stores, record.id, reason="tests finished")


@pytest.fixture
def endpoint(stores, example_zips, endpoints_cleanup):
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, api_key = deploy_endpoint(
        stores,
        "mlp-ep",
        model,
        training=None,
        plan=SPOT,
    )
    return record, api_key


def test_predict_in_json_npy_and_safetensors(served) -> None:
    record, key = served
    auth = {"authorization": f"Bearer {key}"}
    x = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    as_json = httpx.post(f"{record.url}/v1/predict", json={"inputs": x.tolist()}, headers=auth).json()
    assert as_json["shape"] == [3, 1]
    as_npy = httpx.post(
        f"{record.url}/v1/predict",
        content=_npy(x),
        headers={**auth, "content-type": "application/x-npy", "accept": "application/x-npy"},
    )
    assert as_npy.headers["content-type"] == "application/x-npy"
    npy_out = np.load(io.BytesIO(as_npy.content), allow_pickle=False)
    as_st = httpx.post(
        f"{record.url}/v1/predict",
        content=save({"inputs": x}),
        headers={"x-api-key": key, "content-type": "application/x-safetensors"},
    ).json()
    np.testing.assert_allclose(np.array(as_json["outputs"]), npy_out, rtol=1e-6)
    np.testing.assert_allclose(np.array(as_st["outputs"]), npy_out, rtol=1e-6)
    np.testing.assert_allclose(predict(record.url, key, x), npy_out, rtol=1e-6)


def test_health_is_open_and_predict_needs_the_key(served) -> None:
    record, key = served
    health = httpx.get(f"{record.url}/health").json()
    assert health["status"] == "ok" and health["input_shape"] == [8]
    for headers in ({}, {"authorization": "Bearer wrong"}, {"x-api-key": key[:-1]}):
        answer = httpx.post(f"{record.url}/v1/predict", json={"inputs": [[0.0] * 8]}, headers=headers)
        assert answer.status_code == 401 and "API key" in answer.json()["error"]
    assert record.api_key_sha256 != key and len(record.api_key_sha256) == 64


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (json.dumps({"inputs": [[0.0] * 5]}).encode(), "application/json", "expected \\[batch, 8\\]"),
        (json.dumps({"inputs": [[0.0] * 8, [0.0]]}).encode(), "application/json", "rectangular"),
        (json.dumps({"wrong": 1}).encode(), "application/json", '"inputs" array'),
        (b"{not json", "application/json", "not valid JSON"),
        (b"\x80\x04pickle", "application/x-npy", "not a plain .npy"),
        (b"", "application/x-npy", "not a plain .npy"),
        (b"x", "application/x-python-pickle", "not supported"),
        (json.dumps({"inputs": [[99.0] * 8]}).encode(), "application/json", "outside the declared range"),
        (b'{"inputs": [[NaN, 0, 0, 0, 0, 0, 0, 0]]}', "application/json", "holds NaN, which is not JSON"),
        (b'{"inputs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", "nested too deeply"),
        (_forged_npy_header(), "application/x-npy", "header claims 64,000,000,000 bytes .* 16 follow"),
    ],
)
def test_bad_requests_get_a_clear_422(served, body: bytes, content_type: str, reason: str) -> None:
    record, key = served
    answer = httpx.post(
        f"{record.url}/v1/predict",
        content=body,
        headers={"authorization": f"Bearer {key}", "content-type": content_type},
    )
    assert answer.status_code == 422
    assert re.search(reason, answer.json()["error"])


def test_a_pickled_object_array_is_refused_not_unpickled(served) -> None:
    record, key = served
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    answer = httpx.post(
        f"{record.url}/v1/predict",
        content=buffer.getvalue(),
        headers={"authorization": f"Bearer {key}", "content-type": "application/x-npy"},
    )
    assert answer.status_code == 422 and "object arrays are refused" in answer.json()["error"]


def test_metrics_count_requests_errors_and_latency(stores, endpoint) -> None:
    record, key = endpoint
    for _ in range(4):
        predict(record.url, key, np.zeros((1, 8), np.float32))
    httpx.post(f"{record.url}/v1/predict", json={"inputs": [[0.0]]}, headers={"x-api-key": key})
    metrics = httpx.get(f"{record.url}/metrics").json()
    assert metrics["requests"] == 5 and metrics["errors"] == 1
    assert 0 < metrics["latency_ms_p50"] <= metrics["latency_ms_p95"]
    from sskai.catalog import load_catalog

    [reading] = meter_endpoints(stores, load_catalog())
    assert reading.alive and reading.counters.requests == 5 and reading.cost_record_id
    # The metering sampled the counters; 40 s later (as the supervisor would), 6 more requests: 0.15 requests/s.
    assert sample_serving_endpoints(stores) == 0  # sampled just now: not again within 30 s
    for _ in range(6):
        predict(record.url, key, np.zeros((1, 8), np.float32))
    [first] = stores.metadata.list(EndpointSample, endpoint_id=record.id)
    assert sample_serving_endpoints(stores, now=first.at + timedelta(seconds=40)) == 1
    [stretch] = sample_frame(stores, record.id).to_dict("records")
    assert stretch["requests/s"] == pytest.approx(6 / 40) and stretch["errors/s"] == 0 and stretch["p95 ms"] > 0


def test_a_dead_endpoint_is_noticed_and_marked_failed(stores, endpoint) -> None:
    import os
    import signal
    import time

    from sskai.catalog import load_catalog

    record, key = endpoint
    os.killpg(record.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while is_alive(record.pid) and time.monotonic() < deadline:
        try:
            os.waitpid(record.pid, os.WNOHANG)
        except ChildProcessError:
            break
        time.sleep(0.1)
    with pytest.raises(EndpointError, match="not answering"):
        predict(record.url, key, np.zeros((1, 8), np.float32))
    [reading] = meter_endpoints(stores, load_catalog())
    assert not reading.alive
    assert stores.metadata.get(Endpoint, record.id).status == Status.FAILED


def test_stopping_an_endpoint_ends_its_process(stores, endpoint) -> None:
    record, _ = endpoint
    stopped = stop_stored_endpoint(stores, record.id)
    assert stopped.status == Status.STOPPED and not is_alive(record.pid)


def test_a_model_that_cannot_load_fails_the_deploy_with_its_log(stores, tmp_path, endpoints_cleanup) -> None:
    from tests.helpers import make_zip

    source = "import json\n\ndef ModelClass():\n    raise RuntimeError('weights server unreachable')\n"
    model = upload_model(
        stores, "broken", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": '{"input_shape": [2]}'})
    )
    with pytest.raises(EndpointError, match="weights server unreachable"):
        deploy_endpoint(stores, "broken", model, None, None)
    assert stores.metadata.latest(Endpoint).status == Status.FAILED


def test_the_api_description_is_for_key_holders_only(served) -> None:
    record, key = served
    assert httpx.get(f"{record.url}/openapi.json").status_code == 401
    described = httpx.get(f"{record.url}/openapi.json", headers={"x-api-key": key})
    assert described.status_code == 200 and "/v1/predict" in described.json()["paths"]
    assert httpx.get(f"{record.url}/docs").status_code == 404


def _peak_rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


def test_a_200_mb_request_is_refused_while_it_is_read(served) -> None:
    record, key = served
    before = _peak_rss_bytes(record.pid)

    def chunks():  # streamed, with no length declared: the server must count as it reads
        block = b"0" * (1024 * 1024)
        for _ in range(200):
            yield block

    try:
        answer = httpx.post(
            f"{record.url}/v1/predict",
            content=chunks(),
            headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
            timeout=60,
        )
        assert answer.status_code == 413 and "over 33554432 bytes" in answer.json()["error"]
    except httpx.TransportError:
        pass  # the server may close the connection on the rest of the upload; its answer is then lost
    grown = _peak_rss_bytes(record.pid) - before
    assert grown < 64 * 1024 * 1024, f"the endpoint grew by {grown / 2**20:.0f} MiB reading a refused body"
    assert httpx.get(f"{record.url}/health").status_code == 200


def test_a_model_answering_nan_is_a_500_that_says_why(stores, tmp_path, endpoints_cleanup) -> None:
    from tests.helpers import make_zip

    source = two_input_model("return super().forward(x) * float('nan')")
    model = upload_model(
        stores, "nan", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": '{"input_shape": [2]}'})
    )
    record, key = deploy_endpoint(stores, "nan", model, None, SPOT)
    headers = {"authorization": f"Bearer {key}"}
    answer = httpx.post(f"{record.url}/v1/predict", json={"inputs": [[1.0, 2.0]]}, headers=headers)
    assert answer.status_code == 500 and "NaN or infinite values, which JSON cannot carry" in answer.json()["error"]
    raw = httpx.post(
        f"{record.url}/v1/predict", json={"inputs": [[1.0, 2.0]]}, headers={**headers, "accept": "application/x-npy"}
    )
    assert raw.status_code == 200 and np.isnan(np.load(io.BytesIO(raw.content), allow_pickle=False)).all()


def test_a_model_whose_profile_failed_is_deployed_only_when_forced(stores, tmp_path, endpoints_cleanup) -> None:
    from sskai.errors import ProfileFailed
    from sskai.profiling.service import profile_stored_model
    from tests.helpers import make_zip

    source = two_input_model("raise RuntimeError('broken on purpose')")
    model = upload_model(
        stores, "bad", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": '{"input_shape": [2]}'})
    )
    with pytest.raises(ProfileFailed):
        profile_stored_model(stores, model)
    with pytest.raises(EndpointError, match=r"failed its newest profile .*broken on purpose.*deploy with --force"):
        deploy_endpoint(stores, "bad", model, None, SPOT)
    assert stores.metadata.list(Endpoint, name="bad") == []
    record, _ = deploy_endpoint(stores, "bad", model, None, SPOT, force=True)
    assert record.status == Status.READY


def test_an_endpoint_batches_within_limits_chosen_from_its_profile(stores, example_zips, endpoints_cleanup) -> None:
    from sskai.profiling.service import profile_stored_model
    from sskai.serving.targets import launch_config

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    profile_stored_model(stores, model)
    record, _ = deploy_endpoint(stores, "sized", model, None, SPOT)
    chosen = launch_config(record)
    assert chosen.max_batch_rows == stores.settings.endpoint_max_batch_rows  # a tiny model: the settings' cap
    assert "no latency target recorded" in (chosen.batching or "")
    batching = httpx.get(f"{record.url}/metrics").json()["batching"]
    assert batching["max_batch_rows"] == chosen.max_batch_rows  # what the server was started with
    logged = [e.message for e in stores.metadata.list(LogEntry, resource_id=record.id)]
    assert any(message.startswith("batching: up to") for message in logged)


def test_concurrent_requests_are_batched_and_a_bad_one_fails_alone(stores, tmp_path, endpoints_cleanup) -> None:
    """While one slow request holds the only worker, 60 more arrive and queue: they go to the model in batches,
    and the one whose values make the model raise gets its 500 while the other 59 get their own answers."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from tests.helpers import make_zip

    forward = (
        "import time; time.sleep(4.0 if (x > 999).any() else 0.01)\n"
        "        assert (x >= 0).all(), 'negative input'\n        return x * 2"
    )
    source = two_input_model(forward)
    model = upload_model(
        stores, "picky", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": '{"input_shape": [2]}'})
    )
    record, key = deploy_endpoint(stores, "picky", model, None, SPOT)
    headers = {"authorization": f"Bearer {key}"}

    def ask(value: float) -> httpx.Response:
        return httpx.post(f"{record.url}/v1/predict", json={"inputs": [[value, value]]}, headers=headers, timeout=60)

    values = [-1.0 if i == 17 else float(i) for i in range(60)]
    with ThreadPoolExecutor(61) as pool:
        blocker = pool.submit(ask, 1000.0)  # holds the worker for 4 s, while the others arrive
        time.sleep(0.3)
        answers = list(pool.map(ask, values))
    assert blocker.result().status_code == 200
    assert answers[17].status_code == 500 and "negative input" in answers[17].json()["error"]
    for i, answer in enumerate(answers):
        if i != 17:
            assert answer.status_code == 200, (i, answer.text)
            assert answer.json()["outputs"] == [[2.0 * i, 2.0 * i]]
    batching = httpx.get(f"{record.url}/metrics").json()["batching"]
    assert batching["requests"] == 61 and batching["batches"] <= 12, batching  # 60 queued went in a few batches
    assert batching["split_after_fault"] >= 1  # the batch with the bad one was run again, one at a time


def test_an_endpoint_deployed_without_a_plan_is_metered_and_says_so(stores, example_zips, endpoints_cleanup) -> None:
    from sskai.catalog.versions import current_catalog
    from sskai.store.metadata import CostRecord

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    record, key = deploy_endpoint(stores, "plain", model, training=None, plan=None)
    assert record.instance_type and record.region == stores.settings.aws_region
    predict(record.url, key, np.zeros((1, 8), dtype=np.float32))
    meter_endpoints(stores, current_catalog(stores))
    [cost] = stores.metadata.list(CostRecord, resource_id=record.id)
    assert cost.instance_type == record.instance_type and cost.seconds > 0
    assert "deployed without a recommendation" in cost.detail["priced_as"]
