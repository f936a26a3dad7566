"""Run one real training on a fresh local spot cluster, with or without a preemption simulation, and read it back.

Shared by the goodput and recovery benchmarks: each run gets its own SSKAI_HOME (SQLite and
file:// artifacts under a temporary folder), uploads an example model and dataset, records a
training elected onto ``INSTANCE`` in ``REGION``, and runs it through ``run_stored_training`` exactly
as the train task does, so the figures come from the product's own cluster, loop and metering.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sskai.catalog import load_catalog
from sskai.examples import build_example
from sskai.settings import Settings
from sskai.spot.simulation import SpotSimulation
from sskai.store.metadata import Training, TrainingEvent
from sskai.store.stores import Stores, open_stores
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training, run_stored_training
from sskai.training.summary import TrainingSummary, training_summary
from sskai.training.timeline import training_events
from sskai.upload import upload_dataset, upload_model

INSTANCE, REGION = "g4dn.xlarge", "us-east-1"


@dataclass(frozen=True)
class RunResult:
    wall_seconds: float
    status: str
    global_step: int | None
    final_val_loss: float | None
    summary: TrainingSummary
    events: list[TrainingEvent]


def run_once(example: str, config: TrainingConfig, simulation: SpotSimulation | None) -> RunResult:
    with tempfile.TemporaryDirectory(prefix="sskai-bench-") as folder:
        stores: Stores = open_stores(Settings(home=Path(folder) / "home"))
        model_zip, dataset_zip = build_example(example, Path(folder))
        model = upload_model(stores, example, model_zip)
        dataset = upload_dataset(stores, example, dataset_zip)
        training = create_training(stores, model, dataset, config, plan=None)
        stores.metadata.update(Training, training.id, instance_type=INSTANCE, region=REGION)
        started = time.monotonic()
        try:
            record = run_stored_training(stores, training.id, load_catalog(), simulation)
        except Exception:
            record = stores.metadata.get(Training, training.id)
        wall = time.monotonic() - started
        history = record.history or []
        return RunResult(
            wall_seconds=wall,
            status=str(record.status),
            global_step=(record.metrics or {}).get("global_step"),
            final_val_loss=history[-1].get("val_loss") if history else None,
            summary=training_summary(stores, training.id),
            events=training_events(stores.metadata, training.id),
        )
