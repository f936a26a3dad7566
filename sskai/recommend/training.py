"""Where to train: the sskai election's spot GPU, or a CPU instance when a tiny model costs less there."""

from __future__ import annotations

from sskai.catalog.catalog import Catalog, InstanceOffer, spot_usd_per_hour
from sskai.catalog.transfer import load_transfer_pricing
from sskai.election import Algorithm1Election, Job, elect
from sskai.election.base import ElectionResult
from sskai.election.cost_model import ASSUMED_MFU, expected_training, ondemand_training
from sskai.plans import PoolCandidate, TrainingPlan, Workload
from sskai.profiling.metrics import ProfileMetrics
from sskai.recommend.memory import CPU_TRAINING_RUNTIME_GIB, GPU_RUNTIME_GIB, MEMORY_HEADROOM
from sskai.risk.shipped import offer_candidate, shipped_risk_model
from sskai.units import SECONDS_PER_HOUR, GiB

# A spot node is billed from boot: request, boot and image pull take about two minutes on EKS with
# Karpenter. Tiny jobs are dominated by this, not by FLOPs.
NODE_STARTUP_SECONDS = 120.0
# How many of the election's best pools a training plan carries for its spot policy to choose among.
CANDIDATE_POOLS = 4


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
    hours = total_flops / flops / SECONDS_PER_HOUR + NODE_STARTUP_SECONDS / SECONDS_PER_HOUR
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
    sskai_pick = Algorithm1Election.placement(elect("algorithm1", job, catalog), job)
    if sskai_pick is not None:
        other = catalog.offer(sskai_pick.instance_type, sskai_pick.region)
        priced = expected_training(
            other, catalog.accelerator_spec(other), job, shipped_risk_model(catalog).for_offer(other)
        )
        reasons.append(
            "SSKAI's original rule (the cheapest spot instance that fits, ignoring interruptions) would pick "
            f"{sskai_pick.instance_type} in {sskai_pick.region}: est. ${priced.expected_usd:.5f}"
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
        candidates=pool_candidates(result, job, catalog),
        estimated_ondemand_hours=ondemand.expected_hours if ondemand.finishes else None,
    )


def pool_candidates(result: ElectionResult, job: Job, catalog: Catalog) -> tuple[PoolCandidate, ...]:
    """The election's best pools, best first, each priced and risked as the election saw it."""
    ranked = sorted((c for tier in result.tiers.values() for c in tier), key=lambda c: -c.score)
    found: list[PoolCandidate] = []
    for candidate in ranked:
        if any((p.instance_type, p.region) == (candidate.instance_type, candidate.region) for p in found):
            continue
        offer = catalog.offer(candidate.instance_type, candidate.region)
        risk = shipped_risk_model(catalog).for_offer(offer)
        estimate = expected_training(offer, catalog.accelerator_spec(offer), job, risk)
        found.append(
            offer_candidate(
                catalog,
                offer.instance_type,
                offer.region,
                estimated_hours=estimate.expected_hours,
                estimated_usd=estimate.expected_usd,
            )
        )
        if len(found) == CANDIDATE_POOLS:
            break
    return tuple(found)


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
        estimated_ondemand_hours=hours,
        reasons=(
            *reasons,
            f"{offer.instance_type} ({offer.vcpus} vCPU, {offer.memory_gib:g} GiB) in {offer.region} "
            f"{'on spot' if on_spot else 'on demand'} at ${spot_usd_per_hour(offer):.4f}/h, at the CPU rate the "
            f"profile measured: est. {hours * 60:.1f} min, ${usd:.5f}",
        ),
    )
