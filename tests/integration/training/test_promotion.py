"""Retraining with promotion: a candidate replaces the serving weights only when it does better on the same
held-out split, the switch fails no request, and the verdict is recorded either way."""

from __future__ import annotations

import threading

import httpx
import numpy as np
import pytest

from flows.retrain import retrain_flow
from sskai.bundles.upload import upload_dataset, upload_model
from sskai.catalog import load_catalog
from sskai.kinds import Status
from sskai.serving.service import deploy_endpoint
from sskai.store.metadata import Endpoint, Promotion, Training
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training, run_stored_training
from tests.builders import SPOT


class Traffic:
    """Requests sent to an endpoint without a pause, from another thread, until stopped; every status kept."""

    def __init__(self, url: str, key: str) -> None:
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._send, args=(url, key), daemon=True)
        self._thread.start()

    def _send(self, url: str, key: str) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                answer = client.post(f"{url}/v1/predict", json={"inputs": [[0.1] * 8]}, headers={"x-api-key": key})
                self.statuses.append(answer.status_code)

    def stop(self) -> list[int]:
        self._stop.set()
        self._thread.join(timeout=60)
        return self.statuses


@pytest.mark.usefixtures("prefect_server", "ray_cluster")
def test_a_retrain_is_promoted_only_when_it_does_better_and_the_switch_fails_no_request(
    stores, example_zips, endpoints_cleanup
) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    barely = TrainingConfig(epochs=1, batch_size=64, learning_rate=1e-4)
    serving = create_training(stores, model, dataset, barely, plan=None)
    run_stored_training(stores, serving.id, load_catalog())
    endpoint, key = deploy_endpoint(stores, "mlp", model, stores.metadata.get(Training, serving.id), SPOT)
    traffic = Traffic(endpoint.url, key)

    # A candidate that learned nothing (a learning rate of 1e-7) stays out.
    [kept] = retrain_flow("mlp", config=TrainingConfig(epochs=1, batch_size=64, learning_rate=1e-7))
    assert not kept.promoted and "the serving weights stay" in kept.reason
    assert stores.metadata.get(Endpoint, endpoint.id).training_id == serving.id
    before = httpx.post(f"{endpoint.url}/v1/predict", json={"inputs": [[0.1] * 8]}, headers={"x-api-key": key}).json()

    # A candidate trained properly goes behind the same URL, while requests keep coming.
    [promoted] = retrain_flow("mlp", config=TrainingConfig(epochs=8, batch_size=64, learning_rate=0.003))
    statuses = traffic.stop()
    assert promoted.promoted and "asked for" in promoted.reason
    record = stores.metadata.get(Promotion, promoted.promotion_id)
    assert record.candidate_value < record.serving_value * (1 - record.min_improvement)
    assert stores.metadata.get(Endpoint, endpoint.id).training_id == record.candidate_training_id
    after = httpx.post(f"{endpoint.url}/v1/predict", json={"inputs": [[0.1] * 8]}, headers={"x-api-key": key}).json()
    assert not np.allclose(before["outputs"], after["outputs"])  # the new weights answer
    assert len(statuses) > 20 and set(statuses) == {200}, sorted(set(statuses))
    verdicts = stores.metadata.list(Promotion, endpoint_id=endpoint.id)
    assert [v.promoted for v in verdicts] == [False, True] and all(v.reason for v in verdicts)
    assert stores.metadata.get(Endpoint, endpoint.id).status == Status.READY
