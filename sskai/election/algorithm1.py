"""SSKAI's Algorithm 1, as its final report states it (kept as the reference to beat).

1. Group instances by GPU memory: each distinct instance GPU memory in the data is a lower bound.
2. For each lower bound r, take the instances whose GPU memory satisfies r (at least r).
3. Min-max normalise their spot prices (cheaper scores higher) and their benchmark scores.
4. score = (1 - alpha) x price score + alpha x benchmark score, alpha = 0.2.
5. Keep the top 5 of each group.

The benchmark is the per-GPU score SSKAI hard-coded (0 for accelerators it did not list).
Where every price (or benchmark) in a group is equal, each gets a normalised 1.0.
"""

from __future__ import annotations

from sskai.catalog.catalog import Catalog, spot_usd_per_hour
from sskai.election.base import Candidate, Election, ElectionResult
from sskai.election.eligibility import eligible
from sskai.election.job import Job

ALPHA = 0.2
TOP_PER_GROUP = 5


def _normalise(values: list[float], cheaper_is_better: bool) -> list[float]:
    low, high = min(values), max(values)
    if high == low:
        return [1.0] * len(values)
    if cheaper_is_better:
        return [(high - v) / (high - low) for v in values]
    return [(v - low) / (high - low) for v in values]


class Algorithm1Election(Election, name="algorithm1"):
    def run(self, job: Job, catalog: Catalog) -> ElectionResult:
        pairs = eligible(catalog, job)
        groups = sorted({offer.accelerator_memory_gib_total for offer, _ in pairs})
        tiers: dict[float, tuple[Candidate, ...]] = {}
        for lower_bound in groups:
            members = [(o, s) for o, s in pairs if o.accelerator_memory_gib_total >= lower_bound]
            prices = [spot_usd_per_hour(o) for o, _ in members]
            benchmarks = [s.seed_benchmark_score for _, s in members]
            price_scores = _normalise(prices, cheaper_is_better=True)
            bench_scores = _normalise(benchmarks, cheaper_is_better=False)
            scored = [
                Candidate.from_offer(
                    o,
                    lower_bound,
                    (1 - ALPHA) * ps + ALPHA * bs,
                    {"spot_usd_per_hour": price, "price_score": ps, "benchmark": b, "benchmark_score": bs},
                )
                for (o, _), price, b, ps, bs in zip(
                    members, prices, benchmarks, price_scores, bench_scores, strict=True
                )
            ]
            scored.sort(key=lambda c: (-c.score, c.spot_usd_per_hour, c.instance_type, c.region))
            tiers[lower_bound] = tuple(scored[:TOP_PER_GROUP])
        reasons = (
            f"{len(groups)} GPU-memory groups from the data; score = {1 - ALPHA:.1f} x price score + "
            f"{ALPHA:.1f} x benchmark score; top {TOP_PER_GROUP} per group",
        )
        return ElectionResult(self.name, job, tiers, considered=len(pairs), reasons=reasons)

    @staticmethod
    def placement(result: ElectionResult, job: Job) -> Candidate | None:
        """Where SSKAI would put the job: the best of the smallest group that holds it."""
        for tier in sorted(result.tiers):
            if tier >= max(job.min_total_accelerator_memory_gib, job.min_accelerator_memory_gib) and result.tiers[tier]:
                return result.tiers[tier][0]
        return None
