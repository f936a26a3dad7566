"""What a training run is asked to do: validated before any cluster starts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sskai.training.objectives import LOSSES, OPTIMIZERS


class TrainingConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    epochs: int = Field(3, ge=1, le=10_000)
    batch_size: int = Field(32, ge=1, le=65_536)
    learning_rate: float = Field(1e-3, gt=0, le=10)
    optimizer: Literal[tuple(OPTIMIZERS)] = "adam"  # type: ignore[valid-type]
    loss: Literal[tuple(LOSSES)] | None = None  # type: ignore[valid-type]
    validation_fraction: float = Field(0.1, ge=0.0, lt=0.9)
    seed: int = 0
    # Checkpoint every N optimizer steps (and at every epoch end). SSKAI checkpointed per epoch only,
    # losing up to a whole epoch per interruption; a step interval bounds that loss.
    checkpoint_every_steps: int = Field(50, ge=1)
    num_workers: int = Field(2, ge=1, le=256)
    use_gpu: bool = False
    # Ray restarts a dead worker group this many times from the newest checkpoint.
    max_failures: int = Field(2, ge=0, le=100)
