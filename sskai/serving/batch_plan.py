"""How far an endpoint batches, chosen from the model's profile and the latency target it was recommended for.

The profile measured the forward of one sample and of a batch of ``inference_batch_size``; between
them the forward is taken as linear in the batch, ``t(b) = fixed + per_sample x b``. A request that
arrives while a batch runs waits for it, then for its own batch to fill and run, so its latency is
about ``2 t(b) + wait``. The largest batch (up to the settings' cap, and what the worker's memory
cap holds) whose ``2 t(b)`` fits in ``SLO_SHARE`` of the p95 target is the maximum batch; the wait
for more to arrive is at most one single-sample forward (a later request then costs less than a
run of its own), and never past the target. Without a profile or a target, the settings' values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sskai.profiling.metrics import ProfileMetrics

# The share of the p95 target the model's own work may take; the rest is HTTP, decoding and queueing.
SLO_SHARE = 0.8


@dataclass(frozen=True)
class BatchingChoice:
    max_batch_rows: int
    max_batch_wait_ms: float
    reason: str


def forward_ms(profile: ProfileMetrics, rows: int) -> float:
    """The profiled forward of ``rows`` samples, on the line through the one-sample and the batch medians."""
    batch = max(profile.inference_batch_size, 1)
    single = profile.latency_ms_p50
    per_sample = max((profile.batch_latency_ms_p50 - single) / (batch - 1), 0.0) if batch > 1 else single
    return max(single - per_sample, 0.0) + per_sample * rows


def rows_in_memory(profile: ProfileMetrics, memory_cap_bytes: int) -> int:
    """Samples whose activations fit in the worker's cap beside what serving one batch already held."""
    per_sample = profile.inference_peak_bytes / max(profile.inference_batch_size, 1)
    spare = memory_cap_bytes - profile.serving_peak_rss_bytes
    if per_sample <= 0:
        return 1 << 20  # no activations measured: memory sets no bound, the other caps do
    return max(1, profile.inference_batch_size + math.floor(spare / per_sample))


def choose_batching(
    profile: ProfileMetrics | None,
    latency_slo_ms: float | None,
    memory_cap_bytes: int,
    max_rows: int,
    default_wait_ms: float,
) -> BatchingChoice:
    """The batch limits for an endpoint, with the reason in words (logged on the endpoint)."""
    if profile is None:
        return BatchingChoice(max_rows, default_wait_ms, "no profile: the settings' limits")
    ceiling = min(max_rows, rows_in_memory(profile, memory_cap_bytes))
    capped = f"the settings' cap of {max_rows}" if ceiling == max_rows else "what the worker's memory cap holds"
    if latency_slo_ms is None:
        reason = f"up to {ceiling} samples ({capped}); no latency target recorded, so no wait beyond the queue"
        return BatchingChoice(ceiling, default_wait_ms, reason)
    budget = SLO_SHARE * latency_slo_ms
    rows = max((b for b in range(1, ceiling + 1) if 2 * forward_ms(profile, b) <= budget), default=1)
    if 2 * forward_ms(profile, 1) > budget:
        return BatchingChoice(
            1,
            0.0,
            f"one sample already takes {forward_ms(profile, 1):.1f} ms of the {latency_slo_ms:.0f} ms target: "
            "no batching",
        )
    wait = min(forward_ms(profile, 1), budget - 2 * forward_ms(profile, rows))
    limit = capped if rows == ceiling else f"the {latency_slo_ms:.0f} ms p95 target"
    return BatchingChoice(
        rows,
        round(max(wait, 0.0), 3),
        f"up to {rows} samples ({forward_ms(profile, rows):.1f} ms a batch, limited by {limit}), "
        f"waiting at most {max(wait, 0.0):.2f} ms for a batch to fill (one sample's forward)",
    )
