"""The ServingTarget contract, for every registered target: start answers /health, serves, swaps weights, stops."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from sskai.bundles.files import materialize_bundle
from sskai.bundles.loading import build_model
from sskai.bundles.spec import model_spec
from sskai.bundles.upload import upload_model
from sskai.kinds import ServingKind
from sskai.serving.auth import hash_key
from sskai.serving.client import predict
from sskai.serving.process import EndpointLimits
from sskai.serving.targets import PLUGGED_IN, EndpointLaunch, LaunchConfig, RunningEndpoint, ServingTarget, target_named
from sskai.settings import Settings
from sskai.store.metadata import Endpoint

KEY = "contract-key"


class Stood:
    """A target stood up for the contract, and how to reach what it serves on this machine."""

    def __init__(self, target: ServingTarget, predict: Callable, healthy: Callable) -> None:
        self.target, self.predict, self.healthy = target, predict, healthy


def _local(request: pytest.FixtureRequest, tmp_path: Path, name: str = "local") -> Stood:
    return Stood(
        target_named(name),
        predict=lambda record, inputs: predict(record.url, KEY, inputs),
        healthy=lambda record: httpx.get(f"{record.url}/health", timeout=5).json()["status"] == "ok",
    )


def _lambda(request: pytest.FixtureRequest, tmp_path: Path) -> Stood:
    """On moto, with a container builder that pushes to its ECR; the data plane is the live image's handler."""
    import boto3

    from tests.lambda_local import install_builder, invoke_live, outputs_of, predict_event

    request.getfixturevalue("aws")
    monkeypatch = request.getfixturevalue("monkeypatch")
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = boto3.client("iam").create_role(RoleName="sskai-contract", AssumeRolePolicyDocument=json.dumps(trust))
    monkeypatch.setenv("SSKAI_LAMBDA_ROLE_ARN", role["Role"]["Arn"])
    monkeypatch.setenv("PATH", f"{install_builder(tmp_path / 'builder')}:{os.environ['PATH']}")
    functions = boto3.client("lambda")
    target = target_named("lambda", Settings())

    def ask(record: Endpoint, event: dict) -> dict:
        return invoke_live(functions, record.id, target.image_context(record.id), event)

    return Stood(
        target,
        predict=lambda record, inputs: outputs_of(ask(record, predict_event(inputs, KEY))),
        healthy=lambda record: json.loads(ask(record, {"rawPath": "/health"})["body"])["status"] == "ok",
    )


# How each target is stood up on this machine for the contract. A target without one fails below.
TARGETS: dict[str, Callable[[pytest.FixtureRequest, Path], Stood]] = {
    "local": _local,
    "lambda": _lambda,
    "replicas": lambda request, tmp_path: _local(request, tmp_path, "replicas"),
}
# What a target serves: both kinds on the local process, serverless plans only on Lambda.
KIND = {"lambda": ServingKind.SERVERLESS}


@pytest.fixture(params=sorted({*ServingTarget.registry.names(), *PLUGGED_IN}))
def target_name(request: pytest.FixtureRequest) -> str:
    assert request.param in TARGETS, f"serving target {request.param!r} is registered but not in this contract test"
    return request.param


def _record(running: RunningEndpoint, launch: EndpointLaunch, name: str) -> Endpoint:
    """The record a deploy would have written, as far as the target reads it."""
    return Endpoint(
        id=launch.endpoint_id,
        name="contract",
        kind=launch.kind,
        runtime=name,
        url=running.url,
        pid=running.pid,
        api_key_sha256="-",
        launch=LaunchConfig(bundle_dir=str(launch.bundle_dir)).stored(),
    )


def test_a_target_serves_swaps_weights_and_stops(
    target_name: str, request: pytest.FixtureRequest, stores, example_zips, tmp_path: Path
) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    bundle = materialize_bundle(stores.artifacts, model.artifact_key, tmp_path / "bundle")
    launch = EndpointLaunch(
        name="contract",
        kind=KIND.get(target_name, ServingKind.SPOT),
        bundle_dir=bundle,
        spec=model_spec(model),
        weights=None,
        api_key_sha256=hash_key(KEY),
        workdir=tmp_path / "endpoint",
        limits=EndpointLimits.of(stores.settings),
        endpoint_id=uuid.uuid4().hex,
        memory_mb=1024,
    )
    stood = TARGETS[target_name](request, tmp_path)
    target = stood.target
    running = target.start(launch)
    record = _record(running, launch, target_name)
    try:
        assert stood.healthy(record)
        assert target.is_alive(record)
        inputs = np.zeros((2, 8), dtype=np.float32)
        before = stood.predict(record, inputs)
        zeroed = {name: torch.zeros_like(tensor) for name, tensor in build_model(bundle).state_dict().items()}
        weights = tmp_path / "endpoint" / "zeros.safetensors"
        weights.parent.mkdir(parents=True, exist_ok=True)
        save_file(zeroed, str(weights))
        target.swap_weights(record, weights)
        after = stood.predict(record, inputs)
        assert after.shape == before.shape and np.all(after == 0) and not np.all(before == 0)
    finally:
        target.stop(record)
    assert not target.is_alive(record)
    target.stop(record)  # stopping what is gone is no error
