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
from sskai.catalog.transfer import load_transfer_pricing
from sskai.costs import lambda_charge, spot_usd_per_hour
from sskai.election import BaselineElection, Job, elect
from sskai.election.cost_model import ASSUMED_MFU, expected_training, ondemand_training
from sskai.kinds import ServingKind
from sskai.profiling.metrics import ProfileMetrics
from sskai.risk.shipped import shipped_risk_model
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
# A CPU training process (interpreter, torch, a Ray worker) before the model's own state.
CPU_TRAINING_RUNTIME_GIB = 2.0
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
    hazard_per_hour: float | None = None  # calibrated losses per hour held (None: on demand)
    availability: float | None = None
    risk_basis: str = ""
    transfer_usd: float = 0.0
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


def serving_regions(workload: Workload) -> tuple[str, ...] | None:
    """Where to serve: the regions the user named, else next to the data, else anywhere."""
    if workload.serving_regions:
        return workload.serving_regions
    return (workload.data_region,) if workload.data_region else workload.regions


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
    gpu_offers = _gpu_offers(catalog, gpu_need_gib, serving_regions(workload))
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


def measured_cpu_flops_per_second(profile: ProfileMetrics) -> float | None:
    """FLOP/s the profiling CPU sustained on a forward batch; None when the profile ran on a GPU."""
    if not profile.on_cpu or profile.batch_latency_ms_p50 <= 0:
        return None
    return profile.forward_flops_per_sample * profile.inference_batch_size / (profile.batch_latency_ms_p50 / 1000.0)


def cheapest_cpu_training(
    profile: ProfileMetrics, catalog: Catalog, workload: Workload, total_flops: float, need_gib: float
) -> tuple[InstanceOffer, float, float, float] | None:
    """(offer, hours, USD, transfer USD) of the cheapest CPU instance that holds the step, at the measured CPU rate.

    Assumption: a tiny model does not speed up with more cores (the measured rate is kept per
    instance), so the smallest instance with the memory wins; spot where a live refresh priced it.
    """
    flops = measured_cpu_flops_per_second(profile)
    if flops is None:
        return None
    hours = total_flops / flops / 3600.0 + NODE_STARTUP_SECONDS / 3600.0
    host_need = max(need_gib - GPU_RUNTIME_GIB + CPU_TRAINING_RUNTIME_GIB, CPU_TRAINING_RUNTIME_GIB)
    transfer = load_transfer_pricing()
    options = []
    for offer in catalog.cpu_offers:
        if offer.memory_gib < host_need or (workload.regions and offer.region not in workload.regions):
            continue
        moved = transfer.usd(workload.dataset_gb, workload.data_region, offer.region) if workload.dataset_gb else 0.0
        options.append((offer, hours, hours * spot_usd_per_hour(offer) + moved, moved))
    return min(options, key=lambda o: (o[2], o[0].instance_type)) if options else None


def plan_training(profile: ProfileMetrics, catalog: Catalog, workload: Workload) -> TrainingPlan | None:
    """The cheapest expected way to train: the sskai election's spot GPU, or a CPU instance for a tiny model."""
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
        data_region=workload.data_region,
        data_gb=workload.dataset_gb,
    )
    result = elect("sskai", job, catalog)
    best = result.best
    cpu = cheapest_cpu_training(profile, catalog, workload, total_flops, need_gib)
    if best is None:
        return _cpu_plan(cpu, need_gib, result.considered, ("no spot GPU holds one training step",)) if cpu else None
    offer = catalog.offer(best.instance_type, best.region)
    risk = shipped_risk_model(catalog).for_offer(offer)
    estimate = expected_training(offer, catalog.accelerator_spec(offer), job, risk)
    ondemand = ondemand_training(offer, catalog.accelerator_spec(offer), job)
    reasons = [
        f"one training step at batch {workload.batch_size} needs {need_gib:.2f} GiB of accelerator memory; "
        f"{result.considered} spot offers have it",
        f"{total_flops:.3g} FLOPs ({profile.train_flops_per_sample:.3g}/sample x {workload.training_samples:,} "
        f"samples x {workload.epochs} epochs) at {ASSUMED_MFU:.0%} of datasheet FP32 FLOP/s, "
        f"plus {NODE_STARTUP_SECONDS:.0f} s of node start-up",
        f"{best.instance_type} in {best.region}: ${best.spot_usd_per_hour:.4f}/h spot, "
        f"{risk.hazard_per_hour:.3f} interruptions per hour and {risk.availability:.0%} availability "
        f"({risk.explained}) -> x{estimate.inflation:.4f} expected re-work, "
        f"est. {estimate.expected_hours * 60:.1f} min, ${estimate.expected_usd:.5f}"
        + (
            f" incl. ${estimate.transfer_usd:.4f} moving {workload.dataset_gb:g} GB from {workload.data_region}"
            if estimate.transfer_usd
            else ""
        )
        + (f" vs ${ondemand.expected_usd:.5f} on demand" if ondemand.finishes else ""),
    ]
    baseline = BaselineElection.placement(elect("baseline", job, catalog), job)
    if baseline is not None:
        other = catalog.offer(baseline.instance_type, baseline.region)
        priced = expected_training(
            other, catalog.accelerator_spec(other), job, shipped_risk_model(catalog).for_offer(other)
        )
        reasons.append(
            f"SSKAI's Algorithm 1 would pick {baseline.instance_type} in {baseline.region}: "
            f"est. ${priced.expected_usd:.5f}"
        )
    if cpu is not None:
        cpu_offer, _, cpu_usd, _ = cpu
        if cpu_usd < estimate.expected_usd:
            return _cpu_plan(
                cpu,
                need_gib,
                result.considered,
                (
                    *reasons,
                    f"a CPU instance is cheaper still: {cpu_offer.instance_type} at ${cpu_usd:.5f} "
                    f"against ${estimate.expected_usd:.5f} on the best spot GPU",
                ),
            )
        reasons.append(
            f"cheapest CPU instance for this model: {cpu_offer.instance_type} in {cpu_offer.region}, "
            f"est. ${cpu_usd:.5f} (more than the GPU)"
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
        hazard_per_hour=risk.hazard_per_hour,
        availability=risk.availability,
        risk_basis=risk.explained,
        transfer_usd=estimate.transfer_usd,
        estimated_hours=estimate.expected_hours,
        estimated_spot_usd=estimate.expected_usd,
        estimated_ondemand_usd=ondemand.expected_usd if ondemand.finishes else None,
        candidates_considered=result.considered,
        reasons=tuple(reasons),
    )


def _cpu_plan(
    cpu: tuple[InstanceOffer, float, float, float], need_gib: float, considered: int, reasons: tuple[str, ...]
) -> TrainingPlan:
    offer, hours, usd, moved = cpu
    on_spot = offer.spot_avg_usd_per_hour is not None
    ondemand = hours * (offer.ondemand_usd_per_hour or 0.0) + moved
    return TrainingPlan(
        instance_type=offer.instance_type,
        region=offer.region,
        accelerator="CPU",
        accelerator_count=0,
        node_count=1,
        required_accelerator_memory_gib=need_gib,
        spot_usd_per_hour=spot_usd_per_hour(offer),
        ondemand_usd_per_hour=offer.ondemand_usd_per_hour,
        interruption_frequency=offer.spot_interruption_frequency if on_spot else None,
        risk_basis="spot CPU" if on_spot else "on-demand CPU: no interruptions",
        transfer_usd=moved,
        estimated_hours=hours,
        estimated_spot_usd=usd,
        estimated_ondemand_usd=ondemand,
        candidates_considered=considered,
        reasons=(
            *reasons,
            f"{offer.instance_type} ({offer.vcpus} vCPU, {offer.memory_gib:g} GiB) in {offer.region} "
            f"{'on spot' if on_spot else 'on demand'} at ${spot_usd_per_hour(offer):.4f}/h, at the CPU rate the "
            f"profile measured: est. {hours * 60:.1f} min, ${usd:.5f}",
        ),
    )
