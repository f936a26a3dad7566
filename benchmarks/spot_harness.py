"""Run one real training on a fresh local spot cluster, with or without a spot simulation, and read it back.

Shared by the goodput, recovery and live-policy benchmarks: each run gets its own SSKAI_HOME
(SQLite and file:// artifacts under a temporary folder), uploads an example model and dataset,
records a training with a plan (its candidate pools and its on-demand estimate) or elected onto
``INSTANCE`` in ``REGION``, and runs it through ``run_stored_training`` exactly as the train task
does, so the figures come from the product's own cluster, policy, loop and metering.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sskai.bundles.upload import upload_dataset, upload_model
from sskai.catalog import load_catalog
from sskai.examples import build_example
from sskai.kinds import EventKind, PricingKind
from sskai.localcloud.simulation import SpotSimulation
from sskai.plans import PoolCandidate, TrainingPlan
from sskai.settings import Settings
from sskai.store.metadata import CostRecord, Training, TrainingEvent
from sskai.store.stores import Stores, open_stores
from sskai.training.config import TrainingConfig
from sskai.training.service import create_training, run_stored_training
from sskai.training.summary import TrainingSummary, training_summary
from sskai.training.timeline import training_events
from sskai.units import SECONDS_PER_HOUR

INSTANCE, REGION = "g4dn.xlarge", "us-east-1"


@dataclass(frozen=True)
class RunResult:
    wall_seconds: float
    status: str
    global_step: int | None
    final_val_loss: float | None
    summary: TrainingSummary
    events: list[TrainingEvent]
    costs: list[CostRecord]

    @property
    def trained_seconds(self) -> float | None:
        """Wall seconds from the first training step to the attempt's end (the spot clock runs over these)."""
        first = next((e for e in self.events if e.kind == EventKind.RESUMED), None)
        ended = next((e for e in reversed(self.events) if e.kind == EventKind.ATTEMPT_ENDED), None)
        if first is None or ended is None:
            return None
        return (ended.at - first.at).total_seconds()

    def worker_usd(self, time_scale: float = 1.0) -> float:
        """What the worker nodes and the data moved cost, node-seconds scaled to trace time (the head apart)."""
        nodes = sum(
            c.paid_usd for c in self.costs if c.detail.get("slot") != "head" and c.pricing != PricingKind.TRANSFER
        )
        moved = sum(c.paid_usd for c in self.costs if c.pricing == PricingKind.TRANSFER)
        return nodes * time_scale + moved

    def worker_hours(self, pricing: PricingKind, time_scale: float, workers: int) -> float:
        """Gang-hours (node-hours over the gang) on ``pricing`` nodes, in trace time."""
        seconds = sum(c.seconds for c in self.costs if c.detail.get("slot") != "head" and c.pricing == pricing)
        return seconds * time_scale / SECONDS_PER_HOUR / workers


def plan_for(candidates: tuple[PoolCandidate, ...], ondemand_hours: float) -> TrainingPlan:
    """What the recommendation hands a training over ``candidates`` (best first), estimated at ``ondemand_hours``."""
    return TrainingPlan.over(candidates, ondemand_hours, accelerator="V100")


def run_once(
    example: str,
    config: TrainingConfig,
    simulation: SpotSimulation | None,
    plan: TrainingPlan | None = None,
    before_run: Callable[[Stores, Training], None] = lambda stores, record: None,
) -> RunResult:
    """``before_run``: a look at the stored training just before it runs (what the replay is given)."""
    with tempfile.TemporaryDirectory(prefix="sskai-bench-") as folder:
        stores: Stores = open_stores(Settings(home=Path(folder) / "home"))
        model_zip, dataset_zip = build_example(example, Path(folder))
        model = upload_model(stores, example, model_zip)
        dataset = upload_dataset(stores, example, dataset_zip)
        training = create_training(stores, model, dataset, config, plan=plan)
        if plan is None:
            stores.metadata.update(Training, training.id, instance_type=INSTANCE, region=REGION)
        before_run(stores, stores.metadata.get(Training, training.id))
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
            costs=stores.metadata.list(CostRecord, resource_id=training.id),
        )
