"""Checkpoints: a snapshot is a copy taken at once; the background write is complete and verified before it counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from sskai.errors import TrainingFailed
from sskai.training.checkpoints import (
    BackgroundWriter,
    LoopPosition,
    load_checkpoint,
    read_manifest,
    save_checkpoint,
    take_snapshot,
)


def _trained_once() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1)
    model(torch.ones(3, 4)).sum().backward()
    optimizer.step()
    return model, optimizer


def test_a_snapshot_is_a_copy_and_its_background_write_is_verified(tmp_path: Path) -> None:
    model, optimizer = _trained_once()
    snapshot = take_snapshot(model, optimizer, LoopPosition(epoch=0, step_in_epoch=7, global_step=7))
    at_snapshot = model.weight.detach().clone()
    writer = BackgroundWriter(tmp_path)
    assert writer.start(snapshot, {"global_step": 7}) and writer.busy
    with torch.no_grad():
        model.weight.add_(1.0)  # training goes on while the write runs
    assert not writer.start(snapshot, {"global_step": 8})  # one write in flight: the next is skipped
    directory, metrics = writer.wait()
    assert metrics == {"global_step": 7} and not writer.busy and writer.finished() is None  # handed over once
    assert read_manifest(directory).global_step == 7
    restored = torch.nn.Linear(4, 2)
    fresh_optimizer = torch.optim.AdamW(restored.parameters(), lr=0.1)
    position = load_checkpoint(directory, restored, fresh_optimizer)
    assert position.step_in_epoch == 7
    assert torch.equal(restored.weight, at_snapshot)  # the values of the moment, not of later steps
    assert fresh_optimizer.state_dict()["state"][0]["step"] == optimizer.state_dict()["state"][0]["step"]
    writer.close()


def test_a_failed_write_surfaces_in_the_loop(tmp_path: Path) -> None:
    model, optimizer = _trained_once()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the checkpoint folder should go")
    writer = BackgroundWriter(blocker)
    writer.start(take_snapshot(model, optimizer, LoopPosition()), {})
    with pytest.raises(OSError):  # never handed over as a checkpoint
        writer.wait()
    writer.close()


def test_a_torn_checkpoint_is_refused(tmp_path: Path) -> None:
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.Adam(model.parameters())
    save_checkpoint(tmp_path, model, optimizer, LoopPosition(epoch=1, step_in_epoch=3, global_step=9))
    assert load_checkpoint(tmp_path, torch.nn.Linear(2, 2), None).global_step == 9
    (tmp_path / "model.safetensors").write_bytes((tmp_path / "model.safetensors").read_bytes()[:-8])
    with pytest.raises(TrainingFailed, match="torn checkpoint"):
        load_checkpoint(tmp_path, torch.nn.Linear(2, 2), None)


def test_a_checkpoint_manifest_from_another_schema_is_refused(tmp_path: Path) -> None:
    model = torch.nn.Linear(2, 2)
    save_checkpoint(tmp_path, model, torch.optim.Adam(model.parameters()), LoopPosition(epoch=1, global_step=4))
    manifest = json.loads((tmp_path / "sskai_checkpoint.json").read_text())
    assert manifest["schema_version"] == 1
    (tmp_path / "sskai_checkpoint.json").write_text(json.dumps({**manifest, "schema_version": 99}))
    with pytest.raises(TrainingFailed, match="schema version 99; this sskai reads version 1"):
        load_checkpoint(tmp_path, torch.nn.Linear(2, 2), None)
