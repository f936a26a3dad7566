"""The plans that training and serving consume: what the recommendation decided, and the load it was for.

Kernel types: the recommendation writes them, the training and serving services read them, and
neither needs the other (or the profiler, or the election) to do so.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from sskai.kinds import ServingKind
from sskai.versioned import Versioned


class Workload(BaseModel):
    """What the model will be asked to do: the serving load and the training job to price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests_per_hour: float = Field(1_000.0, ge=0, description="Expected inference requests per hour.")
    latency_slo_ms: float = Field(1_000.0, gt=0, description="p95 latency target for one request (ms).")
    training_samples: int = Field(10_000, ge=1, description="Samples in the training set.")
    epochs: int = Field(3, ge=1, description="Passes over the training set.")
    batch_size: int = Field(32, ge=1, description="Training batch size per device.")
    checkpoint_interval_seconds: float = Field(600.0, gt=0, description="Seconds between checkpoints.")
    regions: tuple[str, ...] | None = Field(None, description="Allowed regions for training; default: all.")
    serving_regions: tuple[str, ...] | None = Field(
        None, description="Regions to serve from (near your users); default: the data's region, else all."
    )
    data_region: str | None = Field(
        None, description="AWS region the dataset lives in (transfer is priced from it); default: off AWS."
    )
    dataset_gb: float = Field(0.0, ge=0, description="Dataset size in GB, pulled by every training launch.")


class ServingAlternative(BaseModel):
    """The option the plan did not take, priced, so a person can see the margin."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServingKind  # serverless or spot
    usd_per_hour: float | None = None
    instance_type: str | None = None
    region: str | None = None
    memory_mb: int | None = None


class ServingPlan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ServingKind  # serverless or spot
    usd_per_hour: float
    memory_mb: int | None = None
    instance_type: str | None = None
    region: str | None = None
    expected_latency_ms: float | None = None
    alternative: ServingAlternative | None = None
    reasons: tuple[str, ...] = ()


class PoolCandidate(BaseModel):
    """One spot pool the training may run on, with what the election priced it at: the spot policy's choices."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instance_type: str
    region: str
    zone: str | None = None  # a trace's pool is a zone; the catalog's is a region
    spot_usd_per_hour: float
    ondemand_usd_per_hour: float
    hazard_per_hour: float = 0.0  # calibrated, for one instance
    availability: float = 1.0
    mean_wait_hours: float = 0.0
    risk_basis: str = ""
    estimated_hours: float | None = None  # to finish here, interruptions included
    estimated_usd: float | None = None

    @property
    def name(self) -> str:
        return f"{self.instance_type} in {self.zone or self.region}"


class TrainingPlan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    instance_type: str
    region: str
    accelerator: str
    accelerator_count: float
    node_count: int
    required_accelerator_memory_gib: float
    spot_usd_per_hour: float
    ondemand_usd_per_hour: float | None
    interruption_frequency: str | None
    hazard_per_hour: float | None = None  # calibrated losses per hour held (None: on demand)
    availability: float | None = None
    risk_basis: str = ""
    transfer_usd: float = 0.0
    estimated_hours: float
    estimated_spot_usd: float
    estimated_ondemand_usd: float | None
    candidates_considered: int
    reasons: tuple[str, ...] = ()
    # The election's best pools, best first (the first is the one above); the spot policy chooses among them.
    candidates: tuple[PoolCandidate, ...] = ()
    estimated_ondemand_hours: float | None = None  # on demand, start-up included: the shortest a deadline can be

    @classmethod
    def over(
        cls, candidates: tuple[PoolCandidate, ...], ondemand_hours: float, accelerator: str = "GPU"
    ) -> TrainingPlan:
        """A plan over ``candidates`` (best first, the first elected) for a job of ``ondemand_hours`` on demand:
        what a recommendation hands a training, for a caller that chose the pools itself (a benchmark, a test)."""
        first = candidates[0]
        spot_hours = first.estimated_hours or ondemand_hours
        return cls(
            instance_type=first.instance_type,
            region=first.region,
            accelerator=accelerator,
            accelerator_count=1,
            node_count=1,
            required_accelerator_memory_gib=1.0,
            spot_usd_per_hour=first.spot_usd_per_hour,
            ondemand_usd_per_hour=first.ondemand_usd_per_hour,
            interruption_frequency=None,
            hazard_per_hour=first.hazard_per_hour,
            availability=first.availability,
            risk_basis=first.risk_basis,
            estimated_hours=spot_hours,
            estimated_spot_usd=spot_hours * first.spot_usd_per_hour,
            estimated_ondemand_usd=ondemand_hours * first.ondemand_usd_per_hour,
            candidates_considered=len(candidates),
            candidates=candidates,
            estimated_ondemand_hours=ondemand_hours,
        )


class Recommendation(Versioned):
    """Where to serve and where to train, with the numbers and reasons; stored as the recommendation's plan."""

    SCHEMA_VERSION: ClassVar[int] = 2  # v2: a serving plan says its ``kind`` (v1 called it ``target``)
    REMEDY: ClassVar[str] = "recommend again (`sskai recommend NAME`)"

    serving: ServingPlan
    training: TrainingPlan | None
    workload: Workload
