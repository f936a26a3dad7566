"""The scale configuration: metadata store and Prefect server on PostgreSQL, artifacts and checkpoints on S3."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import httpx
import psycopg2
import pytest

from sskai.bundles.upload import upload_dataset, upload_model
from sskai.errors import ConfigError, NotFound
from sskai.kinds import Status
from sskai.serving.process import free_port
from sskai.settings import ArtifactLocation, Settings
from sskai.store.artifacts import S3ArtifactStore, open_store
from sskai.store.metadata import Dataset, MetadataStore, Model, Training
from sskai.store.stores import open_stores
from tests.helpers import PG, ROOT


@pytest.fixture
def bucket(aws: str) -> str:
    name = f"sskai-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def test_metadata_store_on_postgresql(postgres_db: str, home, example_zips, monkeypatch) -> None:
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{postgres_db}"
    monkeypatch.setenv("SSKAI_DATABASE_URL", url)
    stores = open_stores()
    assert stores.metadata.engine.dialect.name == "postgresql"
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    training = stores.metadata.add(
        Training(
            owner="tester",
            model_id=model.id,
            dataset_id=dataset.id,
            config={"epochs": 1},
            history=[{"epoch": 1, "val_loss": 0.5}],
        )
    )
    stores.metadata.set_status(Training, training.id, Status.FAILED, "node lost")
    again = MetadataStore(url)  # a second process's view
    assert again.find_version(Model, "tester", "mlp").manifest["input_shape"] == [8]
    assert again.find_version(Dataset, "tester", "mlp").manifest["num_samples"] == 2048
    reread = again.get(Training, training.id)
    assert (reread.status, reread.status_reason, reread.history) == (
        Status.FAILED,
        "node lost",
        [{"epoch": 1, "val_loss": 0.5}],
    )
    with pytest.raises(NotFound):
        again.find_version(Model, "tester", "mlp", version=2)


def test_artifact_store_on_s3(bucket: str, tmp_path: Path) -> None:
    store = open_store(Settings(artifact_url=f"s3://{bucket}/team-a").artifacts)
    assert isinstance(store, S3ArtifactStore)
    store.put_bytes("models/x/bundle.zip", b"zip-bytes")
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "weights.bin").write_bytes(b"w" * 1000)
    store.put_dir("checkpoints/run-1", tmp_path / "ckpt")
    assert store.get_bytes("models/x/bundle.zip") == b"zip-bytes"
    assert store.list("checkpoints") == ["checkpoints/run-1/weights.bin"]
    assert store.exists("models/x/bundle.zip") and not store.exists("models/y/bundle.zip")
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == ["team-a/checkpoints/run-1/weights.bin", "team-a/models/x/bundle.zip"]
    with pytest.raises(NotFound, match="no artifact"):
        store.get_bytes("missing")
    store.delete_prefix("checkpoints")
    assert store.list("checkpoints") == []
    with pytest.raises(ValueError, match="stay inside"):
        store.put_bytes("../escape", b"x")


def test_an_unknown_artifact_scheme_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown artifact store scheme 'gs'; choose one of: file, s3"):
        open_store(ArtifactLocation(url="gs://bucket/prefix"))


@pytest.mark.usefixtures("ray_cluster")
def test_training_with_s3_artifacts_and_checkpoints(bucket: str, home, example_zips, monkeypatch) -> None:
    from sskai.catalog import load_catalog
    from sskai.training.config import TrainingConfig
    from sskai.training.service import create_training, run_stored_training

    monkeypatch.setenv("SSKAI_ARTIFACT_URL", f"s3://{bucket}/sskai")
    stores = open_stores()
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    training = create_training(stores, model, dataset, TrainingConfig(epochs=1, checkpoint_every_steps=20), None)
    done = run_stored_training(stores, training.id, load_catalog())
    assert done.status == Status.SUCCEEDED
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="sskai/")["Contents"]]
    assert f"sskai/{done.weights_key}" in keys
    assert any(
        k.startswith(f"sskai/checkpoints/training-{training.id}/") and k.endswith("sskai_checkpoint.json") for k in keys
    )


def test_prefect_server_on_postgresql_runs_our_flows(postgres_db: str, tmp_path: Path, example_zips) -> None:
    """A real `prefect server start` on PostgreSQL, and the upload flow run against it from another process."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{postgres_db}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-services",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for(f"{api}/health", server)
        database_url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{postgres_db}"
        client_env = {
            **env,
            "PREFECT_API_URL": api,
            "SSKAI_HOME": str(tmp_path / "home"),
            "SSKAI_DATABASE_URL": database_url,
            "SSKAI_OWNER": "tester",
        }
        script = (
            "import sys; from flows.upload import upload_flow; "
            "print(upload_flow(model_name='mlp', model_zip=sys.argv[1]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, str(example_zips["mlp"][0])],
            env=client_env,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs = httpx.post(f"{api}/flow_runs/filter", json={}).json()
        assert [(r["name"] != "", r["state_type"]) for r in runs] == [(True, "COMPLETED")]
        with psycopg2.connect(dbname=postgres_db, **PG) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM flow_run WHERE state_type = 'COMPLETED'")
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT name, version FROM models")
            assert cursor.fetchall() == [("mlp", 1)]
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen, timeout_seconds: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"prefect server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not come up in {timeout_seconds} s")


def test_settings_read_the_scale_configuration(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SSKAI_HOME", str(tmp_path))
    monkeypatch.setenv("SSKAI_DATABASE_URL", "postgresql+psycopg2://postgres@db/sskai")
    monkeypatch.setenv("SSKAI_ARTIFACT_URL", "s3://bucket/prefix")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")  # the variable boto3 users already set
    monkeypatch.setenv("RAY_ADDRESS", "ray://head:10001")
    monkeypatch.setenv("SSKAI_NODEPOOLS_PATH", str(tmp_path / "pools.yaml"))
    settings = Settings()
    assert (settings.database_url, settings.artifact_url) == (
        "postgresql+psycopg2://postgres@db/sskai",
        "s3://bucket/prefix",
    )
    assert settings.artifacts == ArtifactLocation(
        url="s3://bucket/prefix", aws_endpoint_url="http://127.0.0.1:9000", aws_region="us-east-1"
    )
    assert settings.ray_address == "ray://head:10001" and settings.nodepools_file == tmp_path / "pools.yaml"
    monkeypatch.delenv("SSKAI_DATABASE_URL")
    assert Settings().database_url == f"sqlite:///{tmp_path.resolve() / 'sskai.db'}"
