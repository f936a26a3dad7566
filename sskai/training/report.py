"""What a training worker tells Ray Train's controller, typed: one report per step checkpoint and epoch,
and the outcome the training function returns.

A report says where the run is (typed fields) and how the model does (``model``: the loss and the
validation figures). A deterministic failure (user code raised, the loss became NaN, the bundle
would not load) is the training function's return value, which Ray hands back from ``fit()``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class CheckpointTrigger(StrEnum):
    INTERVAL = "interval"  # every N steps, written in the background
    EPOCH = "epoch"
    NOTICE = "notice"  # on a spot interruption notice, just before the node goes


class WorkerReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    global_step: int = 0
    epoch_position: int = 0  # epochs finished when the report was taken
    progress: float = 0.0  # share of the whole training done
    elapsed_seconds: float = 0.0
    resumed_from_step: int = 0
    skipped_checkpoints: int = 0  # torn or corrupt checkpoints passed over on resume
    group_first_step_at: float | None = None  # epoch seconds: when this worker group took its first step
    snapshot_at: float | None = None  # epoch seconds: when the state a checkpoint holds was current
    trigger: CheckpointTrigger | None = None
    epoch: int | None = None  # set on the report at an epoch's end
    model: dict[str, float] = {}  # train_loss, val_loss, val_accuracy, ...

    def to_ray(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_ray(cls, metrics: dict[str, Any]) -> WorkerReport:
        return cls.model_validate(metrics)

    def summary(self) -> dict[str, float | int]:
        """The figures a person reads about the run: the training loss, time, epoch, validation, step."""
        loss = {"train_loss": self.model["train_loss"]} if "train_loss" in self.model else {}
        epoch = {"epoch": self.epoch} if self.epoch is not None else {}
        validation = {name: value for name, value in self.model.items() if name != "train_loss"}
        return {**loss, "elapsed_seconds": self.elapsed_seconds, **epoch, **validation, "global_step": self.global_step}


class WorkerOutcome(BaseModel):
    """What the training function returns on every worker: None, or why the run must stop for good."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    failed: str | None = None
