"""What a checkpoint directory holds and how it is read back.

The directory holds the model weights (safetensors), the optimizer state and the loop position.
Ray Train persists the directory to storage and registers it only once it is complete, so a torn
upload is never offered for resume; a manifest of file hashes guards against a torn or altered copy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import torch
from safetensors.torch import load_file, save_file

from sskai.errors import StoredRecordInvalid, TrainingFailed
from sskai.versioned import Versioned

WEIGHTS = "model.safetensors"
STATE = "train_state.pt"
MANIFEST = "sskai_checkpoint.json"


class CheckpointManifest(Versioned):
    """Written last into a checkpoint directory: the loop position and a hash of every file."""

    SCHEMA_VERSION: ClassVar[int] = 1
    REMEDY: ClassVar[str] = "this checkpoint cannot be resumed by this sskai; start the training again"

    files: dict[str, str]  # file name -> sha256
    epoch: int
    step_in_epoch: int
    global_step: int
    history: list[dict[str, float | int]]


@dataclass
class LoopPosition:
    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


def save_checkpoint(
    directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, position: LoopPosition
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, str(directory / WEIGHTS))
    torch.save({"optimizer": optimizer.state_dict()}, directory / STATE)
    manifest = CheckpointManifest(
        files={name: _sha256(directory / name) for name in (WEIGHTS, STATE)},
        epoch=position.epoch,
        step_in_epoch=position.step_in_epoch,
        global_step=position.global_step,
        history=position.history,
    )
    (directory / MANIFEST).write_text(manifest.model_dump_json())


def load_checkpoint(directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None) -> LoopPosition:
    manifest = read_manifest(directory)
    model.load_state_dict(load_file(str(directory / WEIGHTS)))
    if optimizer is not None:
        optimizer.load_state_dict(torch.load(directory / STATE, map_location="cpu", weights_only=True)["optimizer"])
    return LoopPosition(manifest.epoch, manifest.step_in_epoch, manifest.global_step, list(manifest.history))


def read_manifest(directory: Path) -> CheckpointManifest:
    """The manifest of a complete checkpoint whose files match their hashes; TrainingFailed otherwise."""
    path = directory / MANIFEST
    if not path.is_file():
        raise TrainingFailed(f"checkpoint {directory} has no {MANIFEST}; it is incomplete")
    try:
        manifest = CheckpointManifest.from_stored(_json(path), f"checkpoint {directory}")
    except StoredRecordInvalid as exc:
        raise TrainingFailed(str(exc)) from exc
    for name, digest in manifest.files.items():
        if not (directory / name).is_file() or _sha256(directory / name) != digest:
            raise TrainingFailed(f"checkpoint file {name} is missing or does not match its hash (torn checkpoint)")
    return manifest


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TrainingFailed(f"checkpoint manifest {path} is torn or not JSON: {exc}") from exc


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
