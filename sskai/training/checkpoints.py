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
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from sskai.errors import TrainingFailed

WEIGHTS = "model.safetensors"
STATE = "train_state.pt"
MANIFEST = "sskai_checkpoint.json"


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
    files = {name: _sha256(directory / name) for name in (WEIGHTS, STATE)}
    manifest = {
        "files": files,
        "epoch": position.epoch,
        "step_in_epoch": position.step_in_epoch,
        "global_step": position.global_step,
        "history": position.history,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest))


def load_checkpoint(directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None) -> LoopPosition:
    manifest = read_manifest(directory)
    model.load_state_dict(load_file(str(directory / WEIGHTS)))
    if optimizer is not None:
        optimizer.load_state_dict(torch.load(directory / STATE, map_location="cpu", weights_only=True)["optimizer"])
    return LoopPosition(manifest["epoch"], manifest["step_in_epoch"], manifest["global_step"], manifest["history"])


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise TrainingFailed(f"checkpoint {directory} has no {MANIFEST}; it is incomplete")
    manifest = json.loads(path.read_text())
    for name, digest in manifest["files"].items():
        if not (directory / name).is_file() or _sha256(directory / name) != digest:
            raise TrainingFailed(f"checkpoint file {name} is missing or does not match its hash (torn checkpoint)")
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
