"""What a training run is asked to do: validated before any cluster starts.

This model is the one home of the training options: the CLI's ``sskai train`` options and the
Prefect UI's form for the train flow are both generated from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sskai.bundles.objective_names import LOSS_NAMES, OPTIMIZER_NAMES
from sskai.spot.policies import SpotPolicy

# The registered spot policies, by name (``sskai.spot.policies``).
SPOT_POLICIES = tuple(SpotPolicy.registry.names())


class TrainingConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    epochs: int = Field(3, ge=1, le=10_000, description="Passes over the training split.")
    batch_size: int = Field(32, ge=1, le=65_536, description="Samples per step on each worker.")
    learning_rate: float = Field(1e-3, gt=0, le=10, description="Optimizer step size.")
    optimizer: Literal[OPTIMIZER_NAMES] = Field("adam", description="Optimizer, by name.")  # type: ignore[valid-type]
    loss: Literal[LOSS_NAMES] | None = Field(  # type: ignore[valid-type]
        None, description="Loss, by name; default: the model's task's (mse or cross_entropy)."
    )
    validation_fraction: float = Field(0.1, ge=0.0, lt=0.9, description="Share held out, by a seeded split.")
    seed: int = Field(0, description="Seeds the split, the shuffling and the initial weights.")
    # SSKAI checkpointed per epoch only, losing up to a whole epoch per interruption; a step interval bounds that.
    checkpoint_every_steps: int = Field(50, ge=1, description="Checkpoint every N optimizer steps (and each epoch).")
    checkpoint_on_notice: bool = Field(
        True, description="On a spot interruption notice, checkpoint just before the node goes (no work lost)."
    )
    num_workers: int = Field(2, ge=1, le=256, description="Data-parallel workers (one CPU or GPU each).")
    min_workers: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Elastic: train on as few as this many workers while spot capacity is short, and grow "
        "back as nodes return; default: always num_workers.",
    )
    use_gpu: bool = Field(False, description="Give each worker a GPU.")
    max_failures: int = Field(2, ge=0, le=100, description="Worker-group restarts from the newest checkpoint.")
    deadline_hours: float | None = Field(
        None,
        gt=0,
        le=24 * 365,
        description="Finish within this many hours of the start, falling back to on demand when spot cannot; "
        "default: no deadline.",
    )
    spot_policy: Literal[SPOT_POLICIES] = Field(  # type: ignore[valid-type]
        "sskai",
        description="Which spot policy places the workers (moves between pools, waits, falls back to on demand).",
    )

    @model_validator(mode="after")
    def _elastic_range(self) -> TrainingConfig:
        if self.min_workers is not None and self.min_workers > self.num_workers:
            raise ValueError(f"min_workers ({self.min_workers}) must not exceed num_workers ({self.num_workers})")
        return self

    @property
    def worker_range(self) -> int | tuple[int, int]:
        """Ray Train's ``num_workers``: a fixed count, or (min, max) when elastic."""
        if self.min_workers is None or self.min_workers >= self.num_workers:
            return self.num_workers
        return (self.min_workers, self.num_workers)
