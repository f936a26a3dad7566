"""Builders the tests share: small profiles, plans, cost records, traces and bundles made in code."""

from __future__ import annotations

import io
import json
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sskai.catalog import load_catalog
from sskai.catalog.catalog import Catalog, InstanceOffer, spot_usd_per_hour
from sskai.costs.metering import record_node_cost
from sskai.kinds import ResourceKind, ServingKind
from sskai.plans import PoolCandidate, ServingPlan, TrainingPlan
from sskai.profiling.metrics import ProfileMetrics
from sskai.store import migrations
from sskai.store.metadata import (
    Base,
)

MODEL_PY = textwrap.dedent("""
    from torch import nn

    class ModelClass(nn.Module):
        def __init__(self):
            super().__init__()
            self.l = nn.Linear(4, 2)

        def forward(self, x):
            return self.l(x)
""")

MODEL_SPEC_JSON = json.dumps({"input_shape": [4], "task": "classification"})  # the sskai.json beside MODEL_PY


SPOT = ServingPlan(kind=ServingKind.SPOT, usd_per_hour=0.2, instance_type="g4dn.xlarge", region="us-east-1")


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def schema_differences(url: str) -> list:
    with create_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": migrations.VERSION_TABLE})
        return compare_metadata(context, Base.metadata)


def offer(
    instance_type: str,
    accelerator: str,
    count: float,
    memory_total: float,
    spot: float,
    bucket: str | None = "<5%",
    region: str = "us-east-1",
    ondemand: float | None = None,
) -> InstanceOffer:
    return InstanceOffer(
        instance_type=instance_type,
        family=instance_type.split(".")[0],
        accelerator=accelerator,
        accelerator_count=count,
        accelerator_memory_gib_total=memory_total,
        vcpus=8,
        memory_gib=32,
        region=region,
        ondemand_usd_per_hour=ondemand or spot * 3,
        spot_min_usd_per_hour=spot,
        spot_avg_usd_per_hour=spot,
        spot_max_usd_per_hour=spot,
        spot_interruption_frequency=bucket,
    )


def catalog_of(*offers: InstanceOffer) -> Catalog:
    real = load_catalog()
    return replace(real, offers=tuple(offers), source="test")


def g4dn_cost(stores, resource_id: str, seconds: float, at, kind: ResourceKind = ResourceKind.TRAINING):
    """A g4dn.xlarge node's cost record in us-east-1, priced from the shipped catalog."""
    return record_node_cost(
        stores,
        load_catalog(),
        resource_kind=kind,
        resource_id=resource_id,
        owner="tester",
        instance_type="g4dn.xlarge",
        region="us-east-1",
        seconds=seconds,
        period_start=at,
    )


SMALL = ProfileMetrics(
    device="cpu",
    parameter_count=30_000,
    weight_bytes=120_000,
    forward_flops_per_sample=2.2e7,
    train_flops_per_sample=6.5e7,
    inference_batch_size=8,
    inference_peak_bytes=2_000_000,
    train_batch_size=8,
    train_step_peak_bytes=5_000_000,
    latency_ms_p50=2.0,
    latency_ms_p95=2.3,
    batch_latency_ms_p50=3.0,
    output_shape=(1,),
    runtime_rss_bytes=350 * 1024**2,
    model_held_bytes=120_000,
    serving_peak_rss_bytes=360 * 1024**2,
)


def like_small(**changes: float) -> ProfileMetrics:
    return SMALL.model_copy(update=changes)


def write_zone(folder: Path, name: str, values: list[int], gap_seconds: int = 195) -> None:
    rows = [
        f"2023-02-15 22:{(i * gap_seconds) // 60:02d}:{(i * gap_seconds) % 60:02d},{v}" for i, v in enumerate(values)
    ]
    (folder / f"{name}.csv").write_text("date,availability\n" + "\n".join(rows) + "\n")


def training_plan(pools: list[tuple[str, str]], ondemand_hours: float, catalog: Catalog | None = None) -> TrainingPlan:
    """A plan over ``pools`` ((instance type, region), best first) at the catalog's prices, the training
    estimated to take ``ondemand_hours`` on demand: what the recommendation would hand a training."""
    catalog = catalog or load_catalog()
    candidates = tuple(
        PoolCandidate(
            instance_type=instance_type,
            region=region,
            spot_usd_per_hour=spot_usd_per_hour(catalog.offer(instance_type, region)),
            ondemand_usd_per_hour=catalog.offer(instance_type, region).ondemand_usd_per_hour,
            hazard_per_hour=0.05,
            availability=0.95,
            mean_wait_hours=0.5,
            risk_basis="test",
            estimated_hours=ondemand_hours * 1.1,
        )
        for instance_type, region in pools
    )
    return TrainingPlan.over(candidates, ondemand_hours, accelerator="T4")
