"""sskai's election: the lowest expected cost per unit of work, interruptions priced in.

Training jobs rank by expected dollars to finish (price x expected hours, the hours inflated by the
re-work and restarts the pool's calibrated hazard implies at the job's checkpoint interval, plus the
dataset's transfer on every launch outside its region). The hazard and the wait for capacity come
from ``sskai.risk`` (trace-calibrated); each candidate carries them and where they came from.
Serving loads rank by expected dollars per hour for a fleet that sustains the load. Tiers are the
distinct per-device accelerator memories in the data; each keeps its top k.
"""

from __future__ import annotations

import math

from sskai.catalog.catalog import Catalog
from sskai.election.base import Candidate, Election, ElectionResult
from sskai.election.cost_model import expected_serving, expected_training
from sskai.election.eligibility import eligible
from sskai.election.job import Job
from sskai.risk.shipped import shipped_risk_model


class ExpectedCostElection(Election, name="sskai", default=True):
    def run(self, job: Job, catalog: Catalog) -> ElectionResult:
        pairs = eligible(catalog, job)
        risks = shipped_risk_model(catalog)
        scored: dict[float, list[Candidate]] = {}
        for offer, spec in pairs:
            risk = risks.for_offer(offer)
            if job.kind == "train":
                training = expected_training(offer, spec, job, risk)
                cost, numbers = training.expected_usd, training.as_numbers()
            else:
                serving = expected_serving(offer, spec, job, risk)
                cost, numbers = serving.expected_usd_per_hour, serving.as_numbers()
            numbers = {**numbers, **{f"risk_{k}": v for k, v in risk.as_numbers().items()}}
            if not math.isfinite(cost):
                continue
            tier = offer.accelerator_memory_gib_each
            candidate = Candidate.from_offer(offer, tier, score=-cost, numbers=numbers, risk_basis=risk.explained)
            scored.setdefault(tier, []).append(candidate)
        tiers = {
            tier: tuple(sorted(cands, key=lambda c: (-c.score, c.instance_type, c.region))[: job.top_k])
            for tier, cands in sorted(scored.items())
        }
        unit = "expected USD to finish" if job.kind == "train" else "expected USD per hour for the load"
        reasons = (
            f"ranked {len(pairs)} eligible spot offers by {unit}, trace-calibrated interruptions priced in; "
            f"top {job.top_k} per accelerator-memory tier",
        )
        return ElectionResult(self.name, job, tiers, considered=len(pairs), reasons=reasons)
