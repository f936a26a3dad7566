"""Where to serve: Lambda when the model fits its memory and latency more cheaply than a spot GPU, else the
cheapest spot GPU whose memory holds it."""

from __future__ import annotations

import math

from sskai.catalog.catalog import Catalog, InstanceOffer, spot_usd_per_hour
from sskai.costs.money import lambda_charge
from sskai.kinds import ServingKind
from sskai.plans import ServingAlternative, ServingPlan, Workload
from sskai.profiling.metrics import ProfileMetrics
from sskai.recommend.memory import GPU_RUNTIME_GIB, MEMORY_HEADROOM, SERVERLESS_RUNTIME_MIB
from sskai.serving.lambda_fit import lambda_latency_ms
from sskai.units import GiB, MiB


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
            kind=ServingKind.SPOT,
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
        expected_ms = lambda_latency_ms(cpu_latency_ms, memory_mb)
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
                kind=ServingKind.SERVERLESS,
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
        kind=ServingKind.SPOT,
        usd_per_hour=spot_usd_per_hour(cheapest_gpu),
        instance_type=cheapest_gpu.instance_type,
        region=cheapest_gpu.region,
        expected_latency_ms=expected_ms,
        alternative=ServingAlternative(kind=ServingKind.SERVERLESS, memory_mb=memory_mb),
        reasons=tuple(reasons),
    )
