"""Training on a real local Ray cluster: learns, checkpoints to the artifact store, resumes, fails clearly."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch

from flows.profile import profile_flow
from flows.recommend import recommend_flow
from flows.train import train_flow
from sskai.catalog import load_catalog
from sskai.errors import TrainingFailed
from sskai.kinds import Status
from sskai.store.metadata import CostRecord, Dataset, Model, Training
from sskai.training.checkpoints import LoopPosition, load_checkpoint, save_checkpoint
from sskai.training.config import TrainingConfig
from sskai.training.loop import split_indices
from sskai.training.service import create_training, run_stored_training
from sskai.upload import upload_dataset, upload_model
from tests.helpers import make_zip

ON_THE_STACK = pytest.mark.usefixtures("ray_cluster", "prefect_server")


def test_split_is_deterministic_and_disjoint() -> None:
    train, val = split_indices(100, 0.2, seed=7)
    assert (train, val) == split_indices(100, 0.2, seed=7)
    assert len(val) == 20 and not set(train) & set(val) and sorted(train + val) == list(range(100))
    assert split_indices(100, 0.2, seed=8) != (train, val)


def test_a_torn_checkpoint_is_refused(tmp_path: Path) -> None:
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.Adam(model.parameters())
    save_checkpoint(tmp_path, model, optimizer, LoopPosition(epoch=1, step_in_epoch=3, global_step=9))
    assert load_checkpoint(tmp_path, torch.nn.Linear(2, 2), None).global_step == 9
    (tmp_path / "model.safetensors").write_bytes((tmp_path / "model.safetensors").read_bytes()[:-8])
    with pytest.raises(TrainingFailed, match="torn checkpoint"):
        load_checkpoint(tmp_path, torch.nn.Linear(2, 2), None)


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
    [cost] = stores.metadata.list(CostRecord, resource_id=record.id)
    offer = load_catalog().offer(record.instance_type, record.region)
    assert cost.pricing == "spot" and cost.seconds > 0
    assert cost.paid_usd == pytest.approx(cost.seconds / 3600 * offer.spot_avg_usd_per_hour)
    assert cost.baseline_usd == pytest.approx(cost.seconds / 3600 * offer.ondemand_usd_per_hour)


@ON_THE_STACK
def test_a_rerun_of_the_same_training_resumes_from_its_newest_checkpoint(stores, example_zips) -> None:
    model = upload_model(stores, "gpt", example_zips["gpt"][0])
    dataset = upload_dataset(stores, "gpt", example_zips["gpt"][1])
    config = TrainingConfig(epochs=1, batch_size=64, learning_rate=0.003, num_workers=2, checkpoint_every_steps=5)
    training = create_training(stores, model, dataset, config, plan=None)
    first = run_stored_training(stores, training.id, load_catalog())
    # The cluster is gone; a new run under the same training id (what a Prefect retry does) asks for more epochs.
    stores.metadata.update(Training, training.id, config={**training.config, "epochs": 2})
    second = run_stored_training(stores, training.id, load_catalog())
    assert len(first.history) == 1 and len(second.history) == 2
    assert second.history[0] == first.history[0]  # epoch 1 was restored, not trained again
    assert second.metrics["global_step"] == 2 * first.metrics["global_step"]
    assert second.history[1]["val_loss"] < second.history[0]["val_loss"]


@ON_THE_STACK
def test_a_nan_loss_fails_the_training_with_its_step(stores, tmp_path: Path, example_zips) -> None:
    source = textwrap.dedent("""
        from torch import nn

        class ModelClass(nn.Module):
            def __init__(self):
                super().__init__()
                self.l = nn.Linear(8, 1)

            def forward(self, x):
                return self.l(x) * float("inf")
    """)
    spec = json.dumps({"input_shape": [8]})
    upload_model(stores, "nan", make_zip(tmp_path / "m.zip", {"model.py": source, "sskai.json": spec}))
    upload_dataset(stores, "mlp", example_zips["mlp"][1])
    with pytest.raises(TrainingFailed, match=r"loss became (nan|inf) at epoch 1, step 1"):
        train_flow("nan", "mlp", config=TrainingConfig(epochs=1))
    failed = stores.metadata.latest(Training)
    assert failed.status == Status.FAILED and "loss became" in failed.status_reason


@ON_THE_STACK
def test_a_failing_loader_fails_once_without_ray_retries(stores, tmp_path: Path, example_zips) -> None:
    upload_model(stores, "mlp", example_zips["mlp"][0])
    loader = "def sskai_load_data():\n    raise ValueError('bucket credentials expired')\n"
    upload_dataset(stores, "broken", make_zip(tmp_path / "d.zip", {"loader.py": loader}))
    with pytest.raises(TrainingFailed, match="sskai_load_data\\(\\) raised ValueError: bucket credentials expired"):
        train_flow("mlp", "broken", config=TrainingConfig(epochs=1))


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


def test_a_checkpoint_manifest_from_another_schema_is_refused(tmp_path: Path) -> None:
    model = torch.nn.Linear(2, 2)
    save_checkpoint(tmp_path, model, torch.optim.Adam(model.parameters()), LoopPosition(epoch=1, global_step=4))
    manifest = json.loads((tmp_path / "sskai_checkpoint.json").read_text())
    assert manifest["schema_version"] == 1
    (tmp_path / "sskai_checkpoint.json").write_text(json.dumps({**manifest, "schema_version": 99}))
    with pytest.raises(TrainingFailed, match="schema version 99; this sskai reads version 1"):
        load_checkpoint(tmp_path, torch.nn.Linear(2, 2), None)
