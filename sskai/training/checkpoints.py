"""What a checkpoint directory holds and how it is read back.

The directory holds the model weights (safetensors), the optimizer state and the loop position.
A checkpoint is a snapshot (a copy on the CPU, the only part the training loop waits for) written
to a folder, in the background or at once, manifest last.
Ray Train persists the directory to storage and registers it only once it is complete, so a torn
upload is never offered for resume; a manifest of file hashes guards against a torn or altered copy.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
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
    world_size: int | None = None  # workers when it was taken: an elastic run may resume on another count


@dataclass
class LoopPosition:
    epoch: int = 0
    step_in_epoch: int = 0
    global_step: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    world_size: int | None = None

    def rescaled(self, world_size: int) -> LoopPosition:
        """The same place in the epoch on ``world_size`` workers: the samples done, in the new steps."""
        step = self.step_in_epoch
        if self.world_size and self.world_size != world_size:
            step = self.step_in_epoch * self.world_size // world_size
        return LoopPosition(self.epoch, step, self.global_step, self.history, world_size)


@dataclass(frozen=True)
class Snapshot:
    """A copy of the training state on the CPU: taking it is the only part of a checkpoint the loop waits for."""

    weights: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    position: LoopPosition


def _to_cpu(value: Any, pin: bool) -> Any:
    if isinstance(value, torch.Tensor):
        copy = value.detach().to("cpu", copy=True).contiguous()
        return copy.pin_memory() if pin else copy
    if isinstance(value, dict):
        return {k: _to_cpu(v, pin) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_to_cpu(v, pin) for v in value)
    return value


def take_snapshot(model: torch.nn.Module, optimizer: torch.optim.Optimizer, position: LoopPosition) -> Snapshot:
    """Copy weights, optimizer state and position off the device (pinned memory on CUDA: a fast, safe copy)."""
    pin = torch.cuda.is_available() and any(p.is_cuda for p in model.parameters())
    return Snapshot(
        weights=_to_cpu(model.state_dict(), pin),
        optimizer=_to_cpu(optimizer.state_dict(), pin),
        position=LoopPosition(
            position.epoch, position.step_in_epoch, position.global_step, list(position.history), position.world_size
        ),
    )


def write_snapshot(directory: Path, snapshot: Snapshot) -> None:
    """Write the files, then the manifest with their hashes last: without a manifest a folder is incomplete."""
    directory.mkdir(parents=True, exist_ok=True)
    save_file(snapshot.weights, str(directory / WEIGHTS))
    torch.save({"optimizer": snapshot.optimizer}, directory / STATE)
    position = snapshot.position
    manifest = CheckpointManifest(
        files={name: _sha256(directory / name) for name in (WEIGHTS, STATE)},
        epoch=position.epoch,
        step_in_epoch=position.step_in_epoch,
        global_step=position.global_step,
        history=position.history,
        world_size=position.world_size,
    )
    (directory / MANIFEST).write_text(manifest.model_dump_json())


def save_checkpoint(
    directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, position: LoopPosition
) -> None:
    """A synchronous checkpoint: snapshot and write before returning."""
    write_snapshot(directory, take_snapshot(model, optimizer, position))


class BackgroundWriter:
    """Writes one snapshot at a time in a thread, so training goes on while a checkpoint reaches disk.

    ``start`` returns at once; while a write is in flight (or written but not yet handed over) a new
    one is skipped, so the loop never waits on the disk. ``finished`` hands over a completed checkpoint
    folder exactly once, with the metrics it was taken with.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sskai-checkpoint")
        self._pending: tuple[Future[None], Path, dict[str, Any]] | None = None
        self._count = 0

    def start(self, snapshot: Snapshot, metrics: dict[str, Any]) -> bool:
        """Begin writing ``snapshot``; False (skipped) while the previous one is not handed over yet."""
        if self._pending is not None:
            return False
        self._count += 1
        directory = self.root / f"pending-{self._count:06d}"
        self._pending = (self._pool.submit(write_snapshot, directory, snapshot), directory, metrics)
        return True

    @property
    def busy(self) -> bool:
        """A write is in flight, or written and not handed over yet."""
        return self._pending is not None

    def done(self) -> bool:
        return self._pending is not None and self._pending[0].done()

    def finished(self) -> tuple[Path, dict[str, Any]] | None:
        """The completed folder and its metrics, once; None while writing or when nothing was started."""
        if not self.done():
            return None
        future, directory, metrics = self._pending
        self._pending = None
        future.result()  # a failed write raises here, in the training loop
        return directory, metrics

    def wait(self) -> tuple[Path, dict[str, Any]] | None:
        if self._pending is not None:
            self._pending[0].result()
        return self.finished()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def load_checkpoint(directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None) -> LoopPosition:
    manifest = read_manifest(directory)
    model.load_state_dict(load_file(str(directory / WEIGHTS)))
    if optimizer is not None:
        optimizer.load_state_dict(torch.load(directory / STATE, map_location="cpu", weights_only=True)["optimizer"])
    return LoopPosition(
        manifest.epoch, manifest.step_in_epoch, manifest.global_step, list(manifest.history), manifest.world_size
    )


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


def sibling_checkpoint_folders(checkpoint_path: str, filesystem: Any) -> tuple[str, list[str]]:
    """(the folder holding a run's checkpoints, the names of all its ``checkpoint_*`` folders, newest first).

    Ray names them by time. The list includes the folder of ``checkpoint_path`` itself, and folders
    Ray never registered (an upload cut off by a lost node).
    """
    import pyarrow.fs

    parent = checkpoint_path.rstrip("/").rsplit("/", 1)[0]
    listing = filesystem.get_file_info(pyarrow.fs.FileSelector(parent))
    names = [
        info.base_name
        for info in listing
        if info.type == pyarrow.fs.FileType.Directory and info.base_name.startswith("checkpoint_")
    ]
    return parent, sorted(names, reverse=True)
