"""Training on a real local Ray cluster: learns, checkpoints to the artifact store, resumes, fails clearly."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from flows.profile import profile_flow
from flows.recommend import recommend_flow
from flows.train import train_flow
from sskai.bundles.upload import upload_dataset, upload_model
from sskai.catalog import load_catalog
from sskai.errors import TrainingFailed
from sskai.kinds import Status
from sskai.processes import ProcessIdentity
from sskai.store.metadata import CostRecord, Dataset, LogEntry, Model, ProcessClaim, Training, TrainingAttempt
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training, run_stored_training
from tests.helpers import make_zip

ON_THE_STACK = pytest.mark.usefixtures("ray_cluster", "prefect_server")


def linear_model(forward: str) -> str:
    """A model.py whose 8-to-1 linear model's ``forward`` body is ``forward``."""
    return textwrap.dedent(f"""
        from torch import nn

        class ModelClass(nn.Module):
            def __init__(self):
                super().__init__()
                self.l = nn.Linear(8, 1)

            def forward(self, x):
                {forward}
    """)


@ON_THE_STACK
def test_train_flow_learns_checkpoints_and_meters(stores, example_zips) -> None:
    upload_model(stores, "mlp", example_zips["mlp"][0])
    upload_dataset(stores, "mlp", example_zips["mlp"][1])
    profile_flow("mlp")
    recommend_flow("mlp")
    config = TrainingConfig(epochs=3, batch_size=64, learning_rate=0.003, checkpoint_every_steps=10)
    record = stores.metadata.get(Training, train_flow("mlp", "mlp", config=config))
    assert record.status == Status.SUCCEEDED and record.progress == 1.0
    val = [epoch["val_loss"] for epoch in record.history]
    assert len(val) == 3 and val[-1] < 0.5 * val[0]
    assert stores.artifacts.exists(record.weights_key)
    checkpoints = stores.artifacts.list(f"checkpoints/training-{record.id}")
    assert any(key.endswith("sskai_checkpoint.json") for key in checkpoints)
    # One cost record per node: each worker node at the elected type's spot price, the head on demand.
    costs = stores.metadata.list(CostRecord, resource_id=record.id)
    offer = load_catalog().offer(record.instance_type, record.region)
    workers = [c for c in costs if c.pricing == "spot"]
    [head] = [c for c in costs if c.pricing == "on_demand"]
    assert len(workers) == config.num_workers and {c.instance_type for c in workers} == {record.instance_type}
    for cost in workers:
        assert cost.seconds > 0 and cost.detail["rework_seconds"] == 0
        assert cost.paid_usd == pytest.approx(cost.seconds / 3600 * offer.spot_avg_usd_per_hour)
        assert cost.alternative_usd == pytest.approx(cost.seconds / 3600 * offer.ondemand_usd_per_hour)
    assert head.instance_type == "t3.large" and head.paid_usd == pytest.approx(head.seconds / 3600 * 0.0832)


@ON_THE_STACK
def test_a_rerun_of_the_same_training_resumes_from_its_newest_checkpoint(stores, example_zips) -> None:
    model = upload_model(stores, "gpt", example_zips["gpt"][0])
    dataset = upload_dataset(stores, "gpt", example_zips["gpt"][1])
    config = TrainingConfig(epochs=1, batch_size=64, learning_rate=0.003, num_workers=2, checkpoint_every_steps=5)
    training = create_training(stores, model, dataset, config, plan=None)
    first = run_stored_training(stores, training.id, load_catalog())
    # The cluster was lost; a new run under the same training id (what a Prefect retry does) asks for more epochs.
    stores.metadata.update(Training, training.id, status=Status.FAILED, config={**training.config, "epochs": 2})
    second = run_stored_training(stores, training.id, load_catalog())
    assert len(first.history) == 1 and len(second.history) == 2
    assert second.history[0] == first.history[0]  # epoch 1 was restored, not trained again
    assert second.metrics["global_step"] == 2 * first.metrics["global_step"]
    assert second.history[1]["val_loss"] < second.history[0]["val_loss"]


@ON_THE_STACK
def test_a_nan_loss_fails_the_training_with_its_step(stores, tmp_path: Path, example_zips) -> None:
    source = linear_model('return self.l(x) * float("inf")')
    spec = json.dumps({"input_shape": [8]})
    upload_model(stores, "nan", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": spec}))
    upload_dataset(stores, "mlp", example_zips["mlp"][1])
    with pytest.raises(TrainingFailed, match=r"loss became (nan|inf) at epoch 1, step 1"):
        train_flow("nan", "mlp", config=TrainingConfig(epochs=1, num_workers=1))
    failed = stores.metadata.latest(Training)
    assert failed.status == Status.FAILED and "loss became" in failed.status_reason


@ON_THE_STACK
def test_a_failing_loader_fails_once_without_ray_retries(stores, tmp_path: Path, example_zips) -> None:
    upload_model(stores, "mlp", example_zips["mlp"][0])
    loader = "def sskai_load_data():\n    raise ValueError('bucket credentials expired')\n"
    upload_dataset(stores, "broken", make_zip(tmp_path / "d.zip", {"loader.py": loader}))
    with pytest.raises(TrainingFailed, match="sskai_load_data\\(\\) raised ValueError: bucket credentials expired"):
        train_flow("mlp", "broken", config=TrainingConfig(epochs=1, num_workers=1))


def test_shapes_that_do_not_match_are_refused_before_any_cluster_starts(stores, example_zips) -> None:
    model = upload_model(stores, "cnn", example_zips["cnn"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    with pytest.raises(TrainingFailed, match=r"shape \[8\].*input shape \[3, 32, 32\]"):
        create_training(stores, model, dataset, TrainingConfig(), plan=None)
    assert stores.metadata.list(Training) == []
    assert stores.metadata.get(Model, model.id) and stores.metadata.get(Dataset, dataset.id)


@ON_THE_STACK
def test_more_workers_than_the_cluster_can_hold_is_refused_at_once(stores, example_zips) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    training = create_training(stores, model, dataset, TrainingConfig(num_workers=3), plan=None)
    with pytest.raises(TrainingFailed, match=r"3 workers asked for, but the cluster has 2 CPUs .* at most 2"):
        run_stored_training(stores, training.id, load_catalog())
    assert stores.metadata.get(Training, training.id).status == Status.FAILED


RAISING_MODEL = linear_model('raise ValueError("cannot compare a [64, 1] output with a [64, 3] target")')


@ON_THE_STACK
def test_an_error_in_user_code_fails_at_once_without_any_retry(stores, tmp_path: Path, example_zips) -> None:
    spec = json.dumps({"input_shape": [8]})
    upload_model(stores, "raises", make_zip(tmp_path / "m.zip", {"model.py": RAISING_MODEL, "sskai.json": spec}))
    upload_dataset(stores, "mlp", example_zips["mlp"][1])
    with pytest.raises(TrainingFailed, match=r"the model or its loss raised ValueError: cannot compare .* step 1"):
        train_flow("raises", "mlp", config=TrainingConfig(epochs=1, num_workers=1))
    failed = stores.metadata.latest(Training)
    # One attempt (no Prefect retry), and no worker-group restart by Ray.
    assert [a.status for a in stores.metadata.list(TrainingAttempt, training_id=failed.id)] == [Status.FAILED]
    logs = [e.message for e in stores.metadata.list(LogEntry, resource_id=failed.id)]
    assert not any("worker error" in message for message in logs)
    assert "resume" not in failed.status_reason  # resuming would fail the same way


@ON_THE_STACK
def test_a_corrupt_newest_checkpoint_falls_back_to_the_one_before(stores, example_zips) -> None:
    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    config = TrainingConfig(epochs=1, batch_size=64, learning_rate=0.003, checkpoint_every_steps=4, num_workers=1)
    training = create_training(stores, model, dataset, config, plan=None)
    first = run_stored_training(stores, training.id, load_catalog())
    run_dir = stores.settings.home / "artifacts" / "checkpoints" / f"training-{training.id}"
    folders = sorted(p for p in run_dir.iterdir() if p.is_dir() and p.name.startswith("checkpoint_"))
    assert len(folders) == 3  # the kept ones; nothing torn or unregistered is left behind
    *_, before, newest = sorted(p for p in run_dir.iterdir() if p.is_dir() and p.name.startswith("checkpoint_"))
    weights = newest / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-16])  # a torn write of the newest checkpoint
    kept = json.loads((before / "sskai_checkpoint.json").read_text())["global_step"]
    assert 0 < kept < first.metrics["global_step"]

    stores.metadata.update(Training, training.id, status=Status.FAILED, config={**training.config, "epochs": 2})
    second = run_stored_training(stores, training.id, load_catalog())
    attempts = stores.metadata.list(TrainingAttempt, training_id=training.id)
    assert second.status == Status.SUCCEEDED and len(second.history) == 2
    assert [a.number for a in attempts] == [1, 2] and attempts[1].resumed_from_step == kept
    assert second.metrics["global_step"] == 2 * first.metrics["global_step"]  # the lost steps were trained again
    logs = [e.message for e in stores.metadata.list(LogEntry, resource_id=training.id)]
    assert any(f"resumed from step {kept}" in message and "skipped" in message for message in logs)


@ON_THE_STACK
def test_a_training_left_running_by_a_dead_process_is_marked_and_can_be_resumed(stores, example_zips) -> None:
    from typer.testing import CliRunner

    from flows.monitor import monitor_flow
    from ui.cli import app

    model = upload_model(stores, "mlp", example_zips["mlp"][0])
    dataset = upload_dataset(stores, "mlp", example_zips["mlp"][1])
    config = TrainingConfig(epochs=1, batch_size=64, num_workers=1)
    training = create_training(stores, model, dataset, config, plan=None)
    # A real process that ran it and died (as a killed `sskai train` would).
    runner = subprocess.Popen(["sleep", "60"])
    identity = ProcessIdentity.of(runner.pid)
    attempt = stores.metadata.add(
        TrainingAttempt(
            owner="tester", training_id=training.id, number=1, host=identity.host, pid=identity.pid,
            process_start_ticks=identity.start_ticks, status=Status.RUNNING,
        )
    )  # fmt: skip
    claim = ProcessClaim(owner="tester", record_table="training_attempts", record_id=attempt.id, status=Status.RUNNING)
    claim.owned_by(identity)
    stores.metadata.add(claim)  # what the dead process left: its attempt, claimed
    stores.metadata.update(Training, training.id, status=Status.RUNNING)
    assert identity.is_running()
    runner.kill()
    runner.wait()
    assert not identity.is_running()

    reaped = monitor_flow().abandoned
    assert [(r.what, r.id) for r in reaped if r.what != "scratch folder"] == [
        ("training_attempts", attempt.id),
        ("trainings", training.id),
    ]
    interrupted = stores.metadata.get(Training, training.id)
    assert interrupted.status == Status.FAILED
    assert f"is gone; resume it with `sskai train --resume {training.id}`" in interrupted.status_reason

    resumed = CliRunner().invoke(app, ["train", "--resume", training.id])
    assert resumed.exit_code == 0, resumed.output
    assert stores.metadata.get(Training, training.id).status == Status.SUCCEEDED
    assert [a.status for a in stores.metadata.list(TrainingAttempt, training_id=training.id)] == [
        Status.FAILED,
        Status.SUCCEEDED,
    ]
    again = CliRunner().invoke(app, ["train", "--resume", training.id])
    assert again.exit_code == 1 and "already finished" in again.output
