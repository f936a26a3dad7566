"""The lambda target against moto: it creates and updates an image function and its URL, refuses what cannot fit
before any call, and its handler (run as a local process, as moto cannot invoke) serves the swapped weights."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from sskai.bundles.loading import build_model
from sskai.bundles.upload import upload_model
from sskai.errors import EndpointError
from sskai.kinds import ServingKind, Status
from sskai.plans import ServingPlan
from sskai.serving.auth import hash_key
from sskai.serving.client import lambda_url_region
from sskai.serving.health import check_health
from sskai.serving.lambda_target import ALIAS, function_name
from sskai.serving.service import deploy_endpoint, rotate_key, stop_stored_endpoint
from sskai.serving.targets import launch_config, target_of
from sskai.settings import Settings
from sskai.store.metadata import Endpoint
from tests.lambda_local import install_builder, invoke_live, outputs_of, predict_event

pytestmark = pytest.mark.integration

SERVERLESS_512 = ServingPlan(kind=ServingKind.SERVERLESS, usd_per_hour=0.0, memory_mb=512)


@pytest.fixture
def on_lambda(aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    """sskai's serverless plans go to the lambda target on moto, with an execution role; no builder on the PATH."""
    iam = boto3.client("iam", region_name="us-east-1")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=f"sskai-{tmp_path.name[-12:]}", AssumeRolePolicyDocument=json.dumps(trust))
    monkeypatch.setenv("SSKAI_SERVERLESS_TARGET", "lambda")
    monkeypatch.setenv("SSKAI_LAMBDA_REPOSITORY", f"sskai-{tmp_path.name.lower()}")  # the moto server is shared
    monkeypatch.setenv("SSKAI_LAMBDA_ROLE_ARN", role["Role"]["Arn"])
    monkeypatch.setenv("PATH", str(tmp_path / "no-builder"))  # a deploy from a machine without Docker
    return {
        "lambda": boto3.client("lambda", region_name="us-east-1"),
        "ecr": boto3.client("ecr", region_name="us-east-1"),
    }


def test_a_lambda_endpoint_is_an_image_function_with_an_iam_url_and_swaps_weights_by_version(
    on_lambda: dict, stores, example_zips, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    functions = on_lambda["lambda"]
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    with pytest.raises(EndpointError, match=r"no container builder .* `docker build -t \S+:[0-9a-f]{20} "):
        deploy_endpoint(stores, "fn", model, None, SERVERLESS_512)
    assert functions.list_functions()["Functions"] == []
    assert stores.metadata.latest(Endpoint).status == Status.FAILED

    monkeypatch.setenv("PATH", str(install_builder(tmp_path / "builder")))
    record, key = deploy_endpoint(stores, "fn", model, None, SERVERLESS_512)
    assert record.status == Status.READY and record.runtime == "lambda"
    assert lambda_url_region(record.url) == "us-east-1", record.url
    name = function_name(record.id)
    live = functions.get_function(FunctionName=name, Qualifier=ALIAS)
    assert live["Configuration"]["PackageType"] == "Image" and live["Configuration"]["MemorySize"] == 512
    assert live["Configuration"]["Environment"]["Variables"]["SSKAI_API_KEY_SHA256"] == hash_key(key)
    url = functions.get_function_url_config(FunctionName=name, Qualifier=ALIAS)
    assert url["AuthType"] == "AWS_IAM" and url["FunctionUrl"].rstrip("/") == record.url
    assert target_of(record).is_alive(record)
    dimensions = [{"Name": "FunctionName", "Value": name}, {"Name": "Resource", "Value": f"{name}:{ALIAS}"}]
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(  # what Lambda counts for the alias
        Namespace="AWS/Lambda",
        MetricData=[
            {"MetricName": "Invocations", "Dimensions": dimensions, "Value": 3, "Unit": "Count"},
            {"MetricName": "Duration", "Dimensions": dimensions, "Value": 250.0, "Unit": "Milliseconds"},
        ],
    )
    health = check_health(stores, record)
    assert health.alive and health.counters.requests == 3 and health.counters.busy_seconds == 0.25
    context = target_of(record).image_context(record.id)
    inputs = np.ones((3, 8), np.float32)
    before = outputs_of(invoke_live(functions, record.id, context, predict_event(inputs, key)))
    assert invoke_live(functions, record.id, context, predict_event(inputs, "wrong"))["statusCode"] == 401
    first_image = live["Code"]["ImageUri"]

    model_here = build_model(Path(launch_config(record).bundle_dir))
    zeroed = {name: torch.zeros_like(t) for name, t in model_here.state_dict().items()}
    weights = tmp_path / "zeros.safetensors"
    save_file(zeroed, str(weights))
    target_of(record).swap_weights(record, weights)
    assert functions.get_alias(FunctionName=name, Name=ALIAS)["FunctionVersion"] == "2"
    assert functions.get_function(FunctionName=name, Qualifier=ALIAS)["Code"]["ImageUri"] != first_image
    after = outputs_of(invoke_live(functions, record.id, context, predict_event(inputs, key)))
    assert after.shape == before.shape == (3, 1) and np.all(after == 0) and not np.all(before == 0)

    new_key = rotate_key(stores, stores.metadata.get(Endpoint, record.id))  # a new hash, as a new version
    variables = functions.get_function(FunctionName=name, Qualifier=ALIAS)["Configuration"]["Environment"]["Variables"]
    assert variables["SSKAI_API_KEY_SHA256"] == hash_key(new_key) != hash_key(key)
    assert functions.get_alias(FunctionName=name, Name=ALIAS)["FunctionVersion"] == "3"
    assert invoke_live(functions, record.id, context, predict_event(inputs, key))["statusCode"] == 401

    stop_stored_endpoint(stores, record.id)
    assert functions.list_functions()["Functions"] == []
    assert not target_of(record).is_alive(record)
    target_of(record).stop(record)  # stopping what is gone is no error


def test_a_model_over_lambdas_memory_is_refused_with_the_reason_before_any_call(
    on_lambda: dict, stores, example_zips
) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    too_big = SERVERLESS_512.model_copy(update={"memory_mb": 12_000})
    with pytest.raises(EndpointError, match="12,000 MB of memory, over Lambda's 10,240 MB"):
        deploy_endpoint(stores, "big", model, None, too_big)
    repositories = on_lambda["ecr"].describe_repositories()["repositories"]
    assert Settings().lambda_repository not in [repository["repositoryName"] for repository in repositories]
    assert on_lambda["lambda"].list_functions()["Functions"] == []
