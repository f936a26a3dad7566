"""The endpoint's HTTP app on its own (the model behind it is a batcher over a plain function)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient

from sskai.bundles.spec import ModelSpec
from sskai.serving.app import create_app
from sskai.serving.auth import hash_key
from sskai.serving.batching import Batcher

KEY = "k" * 32


def slow_double(inputs: np.ndarray) -> np.ndarray:
    time.sleep(0.2)
    return inputs * 2


@pytest.fixture
def client():
    batcher = Batcher(slow_double, slots=1, max_batch_rows=1)
    app = create_app(batcher, ModelSpec(input_shape=(2, 3)), hash_key(KEY), name="toy")
    with TestClient(app) as client:
        yield client
    batcher.close()


def test_the_api_description_documents_the_body_and_the_key(client) -> None:
    described = client.get("/openapi.json", headers={"x-api-key": KEY}).json()
    body = described["paths"]["/v1/predict"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "application/x-npy", "application/x-safetensors"}
    sample = body["content"]["application/json"]["schema"]["properties"]["inputs"]["items"]
    assert (sample["minItems"], sample["items"]["maxItems"]) == (2, 3)  # one sample is [2, 3]
    assert "[batch, 2, 3]" in body["description"]
    assert set(described["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}


def test_queued_requests_are_not_billed_for_their_wait(client) -> None:
    """Three requests through one worker, one at a time: the last waits ~0.4 s; busy time counts 0.2 s each."""

    def send(_: int) -> int:
        body = {"inputs": np.ones((1, 2, 3)).tolist()}
        return client.post("/v1/predict", json=body, headers={"authorization": f"Bearer {KEY}"}).status_code

    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(send, range(3))) == [200] * 3
    counters = client.get("/metrics").json()
    assert counters["requests"] == 3
    assert 0.6 <= counters["busy_seconds"] < 0.9, counters  # the waits would have made it about 1.2 s


def test_metrics_are_json_for_people_and_prometheus_text_for_a_scraper(client) -> None:
    client.post("/v1/predict", json={"inputs": np.ones((1, 2, 3)).tolist()}, headers={"x-api-key": KEY})
    assert client.get("/metrics").json()["requests"] == 1
    scraped = client.get("/metrics", headers={"accept": "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"})
    assert scraped.headers["content-type"].startswith("text/plain")
    assert 'sskai_requests_total{outcome="ok"} 1.0' in scraped.text
