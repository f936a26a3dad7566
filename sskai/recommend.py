"""Where to serve and where to train a profiled model: a pure function of (profile, catalog, workload).

Every plan carries the numbers that decided it and the reasons in words, so the CLI, the flows and
the dashboard render the same explanation. This is the first, simple policy: serving goes serverless
when the model fits Lambda's memory and meets the latency target more cheaply than an always-on spot
GPU; training takes the sskai election's pick (lowest expected cost to finish, interruptions priced
in) among the spot offers whose accelerator memory holds one training step.
"""

from __future__ import annotations

import math
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from sskai.catalog.catalog import Catalog, InstanceOffer
from sskai.costs import lambda_charge, spot_usd_per_hour
from sskai.election import BaselineElection, Job, elect
from sskai.election.cost_model import ASSUMED_MFU, expected_training, ondemand_training
from sskai.kinds import ServingKind
from sskai.profiling.metrics import ProfileMetrics
from sskai.versioned import Versioned

GiB = 1024**3
MiB = 1024**2
# A CPU PyTorch runtime (interpreter, torch, the handler) resident before the model: measured
# ~350 MiB RSS for `import torch` plus the handler; round up for safety.
SERVERLESS_RUNTIME_MIB = 512
# A CUDA context and allocator slack cost about 1 GiB of device memory whatever the model.
GPU_RUNTIME_GIB = 1.0
MEMORY_HEADROOM = 1.25
# A spot node is billed from boot: request, boot and image pull take about two minutes on EKS with
# Karpenter. Tiny jobs are dominated by this, not by FLOPs.
NODE_STARTUP_SECONDS = 120.0
# Lambda gives one full vCPU at 1,769 MB; below that, CPU time stretches in proportion.
LAMBDA_FULL_VCPU_MB = 1769


class Workload(BaseModel):
    """What the model will be asked to do: the serving load and the training job to price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests_per_hour: float = Field(1_000.0, ge=0, description="Expected inference requests per hour.")
    latency_slo_ms: float = Field(1_000.0, gt=0, description="p95 latency target for one request (ms).")
    training_samples: int = Field(10_000, ge=1, description="Samples in the training set.")
    epochs: int = Field(3, ge=1, description="Passes over the training set.")
    batch_size: int = Field(32, ge=1, description="Training batch size per device.")
    checkpoint_interval_seconds: float = Field(600.0, gt=0, description="Seconds between checkpoints.")
    regions: tuple[str, ...] | None = Field(None, description="Allowed regions; default: all.")


class ServingAlternative(BaseModel):
    """The option the plan did not take, priced, so a person can see the margin."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: ServingKind
    usd_per_hour: float | None = None
    instance_type: str | None = None
    region: str | None = None
    memory_mb: int | None = None


class ServingPlan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    target: ServingKind
    usd_per_hour: float
    memory_mb: int | None = None
    instance_type: str | None = None
    region: str | None = None
    expected_latency_ms: float | None = None
    alternative: ServingAlternative | None = None
    reasons: tuple[str, ...] = ()


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
    estimated_hours: float
    estimated_spot_usd: float
    estimated_ondemand_usd: float | None
    candidates_considered: int
    reasons: tuple[str, ...] = ()


class Recommendation(Versioned):
    """Where to serve and where to train, with the numbers and reasons; stored as the recommendation's plan."""

    SCHEMA_VERSION: ClassVar[int] = 1
    REMEDY: ClassVar[str] = "recommend again (`sskai recommend NAME`)"

    serving: ServingPlan
    training: TrainingPlan | None
    workload: Workload


def recommend(profile: ProfileMetrics, catalog: Catalog, workload: Workload = Workload()) -> Recommendation:
    return Recommendation(
        serving=plan_serving(profile, catalog, workload),
        training=plan_training(profile, catalog, workload),
        workload=workload,
    )


def _gpu_offers(catalog: Catalog, min_memory_gib_each: float, regions: tuple[str, ...] | None) -> list[InstanceOffer]:
    """Spot offers with NVIDIA accelerators (CUDA PyTorch) whose every device holds the need."""
    return [
        offer
        for offer in catalog.spot_offers(regions)
        if offer.accelerator.startswith("NVIDIA")
        and offer.accelerator_count >= 1
        and offer.accelerator_memory_gib_each >= min_memory_gib_each
        and catalog.accelerator_spec(offer) is not None
    ]


def plan_serving(profile: ProfileMetrics, catalog: Catalog, workload: Workload) -> ServingPlan:
    held_bytes = profile.weight_bytes + profile.inference_peak_bytes
    # The measured resident peak covers what the model holds outside torch (an array built at
    # import); the estimate from tensors covers a runtime larger than the profiling one.
    need_mib = max(
        profile.serving_peak_rss_bytes * MEMORY_HEADROOM / MiB,
        SERVERLESS_RUNTIME_MIB + held_bytes * MEMORY_HEADROOM / MiB,
    )
    limits = catalog.aws_lambda
    memory_mb = max(limits.memory_mb_min, int(math.ceil(need_mib / 64.0) * 64))
    cpu_latency_ms = profile.latency_ms_p95 if profile.on_cpu else None

    gpu_need_gib = GPU_RUNTIME_GIB + held_bytes * MEMORY_HEADROOM / GiB
    gpu_offers = _gpu_offers(catalog, gpu_need_gib, workload.regions)
    cheapest_gpu = min(gpu_offers, key=spot_usd_per_hour) if gpu_offers else None
    gpu_alternative = None
    if cheapest_gpu is not None:
        gpu_alternative = ServingAlternative(
            target=ServingKind.SPOT,
            instance_type=cheapest_gpu.instance_type,
            region=cheapest_gpu.region,
            usd_per_hour=spot_usd_per_hour(cheapest_gpu),
        )

    reasons: list[str] = []
    serverless_ok = memory_mb <= limits.memory_mb_max
    if not serverless_ok:
        reasons.append(f"needs {memory_mb} MB, over Lambda's {limits.memory_mb_max} MB limit")
    expected_ms = None
    if cpu_latency_ms is None:
        serverless_ok = False
        reasons.append("no CPU latency measured (profiled on a GPU), so Lambda latency is unknown")
    else:
        # Below a full vCPU, Lambda slices CPU time in proportion to memory.
        expected_ms = cpu_latency_ms * max(1.0, LAMBDA_FULL_VCPU_MB / memory_mb)
        if expected_ms > workload.latency_slo_ms:
            serverless_ok = False
            reasons.append(
                f"expected Lambda p95 {expected_ms:.1f} ms misses the {workload.latency_slo_ms:.0f} ms target"
            )

    if serverless_ok:
        per_request = lambda_charge(limits, memory_mb, expected_ms / 1000.0, 1).total_usd
        usd_per_hour = per_request * workload.requests_per_hour
        if cheapest_gpu is None or usd_per_hour <= spot_usd_per_hour(cheapest_gpu):
            reasons.append(
                f"fits Lambda at {memory_mb} MB with expected p95 {expected_ms:.1f} ms; at "
                f"{workload.requests_per_hour:,.0f} requests/h it costs ${usd_per_hour:.4f}/h"
                + (
                    f" against ${gpu_alternative.usd_per_hour:.4f}/h for an always-on spot "
                    f"{gpu_alternative.instance_type}"
                    if gpu_alternative
                    else ""
                )
            )
            return ServingPlan(
                target=ServingKind.SERVERLESS,
                usd_per_hour=usd_per_hour,
                memory_mb=memory_mb,
                expected_latency_ms=expected_ms,
                alternative=gpu_alternative,
                reasons=tuple(reasons),
            )
        reasons.append(f"Lambda would cost ${usd_per_hour:.4f}/h at this request rate, more than a spot GPU")
    if cheapest_gpu is None:
        raise ValueError(f"no spot GPU offer holds {gpu_need_gib:.1f} GiB for serving, and Lambda does not fit")
    reasons.append(
        f"cheapest spot GPU whose memory holds {gpu_need_gib:.1f} GiB: {cheapest_gpu.instance_type} "
        f"in {cheapest_gpu.region} at ${spot_usd_per_hour(cheapest_gpu):.4f}/h"
    )
    return ServingPlan(
        target=ServingKind.SPOT,
        usd_per_hour=spot_usd_per_hour(cheapest_gpu),
        instance_type=cheapest_gpu.instance_type,
        region=cheapest_gpu.region,
        expected_latency_ms=expected_ms,
        alternative=ServingAlternative(target=ServingKind.SERVERLESS, memory_mb=memory_mb),
        reasons=tuple(reasons),
    )


def training_memory_gib(profile: ProfileMetrics, batch_size: int) -> float:
    """Device memory for one training step at ``batch_size``: state is fixed, activations scale with the batch."""
    # Weights, gradients and two Adam moments: four copies of the weights.
    state = 4 * profile.weight_bytes
    activations = max(profile.train_step_peak_bytes - state, 0) * batch_size / profile.train_batch_size
    return GPU_RUNTIME_GIB + (state + activations) * MEMORY_HEADROOM / GiB


def plan_training(profile: ProfileMetrics, catalog: Catalog, workload: Workload) -> TrainingPlan | None:
    """The sskai election's pick for this job, with the baseline's pick priced alongside for contrast."""
    need_gib = training_memory_gib(profile, workload.batch_size)
    total_flops = profile.train_flops_per_sample * workload.training_samples * workload.epochs
    job = Job(
        name="training",
        work_flops=total_flops,
        min_accelerator_memory_gib=need_gib,
        precision="fp32",
        checkpoint_interval_seconds=workload.checkpoint_interval_seconds,
        restart_seconds=NODE_STARTUP_SECONDS,
        regions=workload.regions,
    )
    result = elect("sskai", job, catalog)
    best = result.best
    if best is None:
        return None
    offer = catalog.offer(best.instance_type, best.region)
    estimate = expected_training(offer, catalog.accelerator_spec(offer), job)
    ondemand = ondemand_training(offer, catalog.accelerator_spec(offer), job)
    reasons = [
        f"one training step at batch {workload.batch_size} needs {need_gib:.2f} GiB of accelerator memory; "
        f"{result.considered} spot offers have it",
        f"{total_flops:.3g} FLOPs ({profile.train_flops_per_sample:.3g}/sample x {workload.training_samples:,} "
        f"samples x {workload.epochs} epochs) at {ASSUMED_MFU:.0%} of datasheet FP32 FLOP/s, "
        f"plus {NODE_STARTUP_SECONDS:.0f} s of node start-up",
        f"{best.instance_type} in {best.region}: ${best.spot_usd_per_hour:.4f}/h spot, interruptions "
        f"{best.interruption_frequency or 'unknown'} (x{estimate.inflation:.4f} expected re-work), "
        f"est. {estimate.expected_hours * 60:.1f} min, ${estimate.expected_usd:.5f}"
        + (f" vs ${ondemand.expected_usd:.5f} on demand" if ondemand.finishes else ""),
    ]
    baseline = BaselineElection.placement(elect("baseline", job, catalog), job)
    if baseline is not None:
        other = catalog.offer(baseline.instance_type, baseline.region)
        priced = expected_training(other, catalog.accelerator_spec(other), job)
        reasons.append(
            f"SSKAI's Algorithm 1 would pick {baseline.instance_type} in {baseline.region}: "
            f"est. ${priced.expected_usd:.5f}"
        )
    return TrainingPlan(
        instance_type=best.instance_type,
        region=best.region,
        accelerator=best.accelerator,
        accelerator_count=best.accelerator_count,
        node_count=1,
        required_accelerator_memory_gib=need_gib,
        spot_usd_per_hour=best.spot_usd_per_hour,
        ondemand_usd_per_hour=best.ondemand_usd_per_hour,
        interruption_frequency=best.interruption_frequency,
        estimated_hours=estimate.expected_hours,
        estimated_spot_usd=estimate.expected_usd,
        estimated_ondemand_usd=ondemand.expected_usd if ondemand.finishes else None,
        candidates_considered=result.considered,
        reasons=tuple(reasons),
    )
