"""What an election is asked to place: the work, the memory it needs, and how it checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Job:
    """A training job (a fixed amount of work) or a serving load (a rate to sustain).

    ``work_flops`` is the whole job for training; for serving, ``flops_per_second`` and
    ``bytes_per_second`` are the sustained rates the fleet must deliver.
    """

    name: str
    kind: Literal["train", "serve"] = "train"
    min_accelerator_memory_gib: float = 0.0  # per device: what one replica or one data-parallel rank needs
    min_total_accelerator_memory_gib: float = 0.0  # per node: a model sharded over the node's devices
    precision: Literal["fp32", "bf16"] = "bf16"
    work_flops: float = 0.0
    flops_per_second: float = 0.0
    bytes_per_second: float = 0.0
    checkpoint_interval_seconds: float = 600.0
    checkpoint_seconds: float = 5.0
    restart_seconds: float = 180.0
    regions: tuple[str, ...] | None = None
    data_region: str | None = None  # where the dataset lives (None: off AWS, free to pull in)
    data_gb: float = 0.0  # pulled by every launch outside ``data_region``
    top_k: int = 5
    # Measured FLOP/s per instance type (from a profile on that hardware), overriding datasheet estimates.
    measured_flops_per_second: tuple[tuple[str, float], ...] = ()
