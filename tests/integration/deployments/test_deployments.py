"""Deployments and blocks registered on the (embedded) Prefect server and read back from it."""

from __future__ import annotations

import asyncio
import os

import pytest
import yaml
from prefect.client.orchestration import get_client

from blocks.settings import register_settings
from deployments.catalog import MONITOR_CRON, PRICING_REFRESH_CRON, RETRAIN_CRON, all_deployments
from deployments.kubernetes_pool import ensure_pool, job_template, render_job
from sskai.plans import Workload
from sskai.settings import AWS_VARIABLES
from sskai.training.config import SPOT_POLICIES, TrainingConfig
from tasks import common
from tasks.budgets import BUDGET_CROSSED
from tasks.upload import DATASET_UPLOADED
from tests.helpers import ROOT, validate_manifests

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_every_deployment_registers_with_its_schedule() -> None:
    deployments = all_deployments()
    for deployment in deployments:
        deployment.apply()

    async def read() -> dict:
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments(limit=200)}

    registered = asyncio.run(read())
    assert set(registered) >= {
        "pipeline",
        "upload",
        "profile",
        "recommend",
        "train",
        "deploy",
        "monitor",
        "pricing-refresh",
        "retrain",
        "budget-alert",
    }
    [schedule] = registered["monitor"].schedules
    assert schedule.schedule.cron == MONITOR_CRON
    declared = {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]}
    assert set(declared) == {d.name for d in deployments}
    assert declared["monitor"]["schedules"][0]["cron"] == MONITOR_CRON
    # Typed parameters become forms in the Prefect UI: every TrainingConfig and Workload field, with its default.
    train_form = registered["train"].parameter_openapi_schema
    assert train_form["properties"]["config"]["$ref"] == "#/definitions/TrainingConfig"
    fields = train_form["definitions"]["TrainingConfig"]["properties"]
    assert set(fields) == set(TrainingConfig.model_fields) and fields["epochs"]["default"] == 3
    # The spot policy is a choice among the registered ones; the deadline a number of hours, or none.
    assert set(fields["spot_policy"]["enum"]) == set(SPOT_POLICIES) >= {"sskai", "baseline", "cheapest_fit"}
    assert fields["spot_policy"]["default"] == "sskai"
    assert {t.get("type") for t in fields["deadline_hours"]["anyOf"]} == {"number", "null"}
    recommend_form = registered["recommend"].parameter_openapi_schema
    assert set(recommend_form["definitions"]["Workload"]["properties"]) == set(Workload.model_fields)
    [hourly] = registered["pricing-refresh"].schedules
    assert hourly.schedule.cron == PRICING_REFRESH_CRON == declared["pricing-refresh"]["schedules"][0]["cron"]
    [nightly] = registered["retrain"].schedules
    assert nightly.schedule.cron == RETRAIN_CRON == declared["retrain"]["schedules"][0]["cron"]
    [trigger] = declared["retrain"]["triggers"]
    assert trigger["expect"] == [DATASET_UPLOADED] and trigger["parameters"] == {
        "dataset_name": "{{ event.resource.name }}"
    }
    [alert] = declared["budget-alert"]["triggers"]
    assert alert["expect"] == [BUDGET_CROSSED] and alert["parameters"] == {"alert_id": "{{ event.payload.alert_id }}"}


def test_a_worker_takes_its_stores_from_the_named_settings_block(home, tmp_path, monkeypatch) -> None:
    shared = tmp_path / "shared"
    database_url, artifact_url = f"sqlite:///{shared / 'team.db'}", (shared / "artifacts").as_uri()
    register_settings(database_url, artifact_url, "eu-west-1", name="team")
    assert common.settings().database_url != database_url  # no block named: the environment decides
    monkeypatch.setenv("SSKAI_SETTINGS_BLOCK", "team")
    settings = common.settings()
    assert (settings.database_url, settings.artifact_url, settings.aws_region) == (
        database_url,
        artifact_url,
        "eu-west-1",
    )
    assert settings.owner == "tester" and settings.home == home.resolve()  # the rest still comes from here
    shared.mkdir()
    assert common.stores().metadata.url == database_url


def test_a_worker_takes_its_artifact_bucket_and_aws_credentials_from_prefect_aws_blocks(
    home, tmp_path, moto_server, monkeypatch
) -> None:
    """At scale: the artifact store is an S3Bucket block, and its AwsCredentials are all the AWS access a worker has."""
    from prefect_aws import AwsCredentials, S3Bucket
    from prefect_aws.credentials import AwsClientParameters

    for name in AWS_VARIABLES | {"AWS_PROFILE"}:  # none here; and each put back as it was after the test, since
        monkeypatch.setenv(name, "")  # loading the block sets them for this process (delenv of an absent
        monkeypatch.delenv(name)  # variable alone would not restore it)
    credentials = AwsCredentials(
        aws_access_key_id="team-key",
        aws_secret_access_key="team-secret",
        region_name="eu-west-1",
        aws_client_parameters=AwsClientParameters(endpoint_url=moto_server),
    )
    bucket = S3Bucket(bucket_name="team-artifacts", bucket_folder="sskai", credentials=credentials)
    register_settings(f"sqlite:///{tmp_path / 'team.db'}", name="team-s3", artifact_bucket=bucket)
    monkeypatch.setenv("SSKAI_SETTINGS_BLOCK", "team-s3")
    common._from_block.cache_clear()
    settings = common.settings()
    assert (settings.artifact_url, settings.aws_region) == ("s3://team-artifacts/sskai", "eu-west-1")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "team-key"  # for boto3 here, pyarrow and the Ray nodes it starts
    assert settings.ray_node_environment()["AWS_SECRET_ACCESS_KEY"] == "team-secret"
    s3 = credentials.get_boto3_session().client("s3", endpoint_url=moto_server)
    s3.create_bucket(Bucket="team-artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    common.stores().artifacts.put_bytes("hello.txt", b"from the block")
    assert s3.get_object(Bucket="team-artifacts", Key="sskai/hello.txt")["Body"].read() == b"from the block"


def test_the_kubernetes_pool_renders_a_job_its_schema_accepts() -> None:
    """The pool's job template, filled in as a worker fills it, is a valid batch/v1 Job run as non-root."""
    template = job_template(image="registry.example/sskai:1.0")
    job = render_job(template, {"env": {"SSKAI_SETTINGS_BLOCK": "team"}})
    checked = validate_manifests([job])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] and pod["serviceAccountName"] == "sskai-flows"
    [container] = pod["containers"]
    assert container["image"] == "registry.example/sskai:1.0"
    assert container["env"] == [{"name": "SSKAI_SETTINGS_BLOCK", "value": "team"}]
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert job["spec"]["completions"] == 1 and "completions" not in pod  # on the Job, where Kubernetes reads it
    # The check can fail: a Job whose pod has no containers is refused.
    broken = render_job(template)
    del broken["spec"]["template"]["spec"]["containers"]
    assert validate_manifests([broken]).returncode == 1


def test_the_kubernetes_pool_registers_with_sskais_template() -> None:
    asyncio.run(ensure_pool("sskai-kubernetes-test", job_template()))

    async def read():
        async with get_client() as client:
            return await client.read_work_pool("sskai-kubernetes-test")

    pool = asyncio.run(read())
    assert pool.type == "kubernetes" and pool.base_job_template == job_template()
