"""The election contract and registry: a new policy is a new class, picked by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from sskai.catalog.catalog import Catalog, InstanceOffer, spot_usd_per_hour
from sskai.election.job import Job
from sskai.registry import Registered, Registry


@dataclass(frozen=True)
class Candidate:
    instance_type: str
    region: str
    accelerator: str
    accelerator_count: float
    memory_tier_gib: float
    spot_usd_per_hour: float
    ondemand_usd_per_hour: float | None
    interruption_frequency: str | None
    score: float  # higher is better for every election
    numbers: dict[str, float] = field(default_factory=dict)  # everything that decided the score
    risk_basis: str = ""  # where the interruption figures came from, in words

    @classmethod
    def from_offer(
        cls, offer: InstanceOffer, tier_gib: float, score: float, numbers: dict[str, float], risk_basis: str = ""
    ) -> Candidate:
        return cls(
            instance_type=offer.instance_type,
            region=offer.region,
            accelerator=offer.accelerator,
            accelerator_count=offer.accelerator_count,
            memory_tier_gib=tier_gib,
            spot_usd_per_hour=spot_usd_per_hour(offer),
            ondemand_usd_per_hour=offer.ondemand_usd_per_hour,
            interruption_frequency=offer.spot_interruption_frequency,
            score=score,
            numbers=numbers,
            risk_basis=risk_basis,
        )


@dataclass(frozen=True)
class ElectionResult:
    election: str
    job: Job
    tiers: dict[float, tuple[Candidate, ...]]  # memory tier -> top candidates, best first
    considered: int
    reasons: tuple[str, ...] = ()

    @property
    def best(self) -> Candidate | None:
        ranked = [c for tier in self.tiers.values() for c in tier]
        return max(ranked, key=lambda c: c.score) if ranked else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "election": self.election,
            "job": asdict(self.job),
            "considered": self.considered,
            "reasons": list(self.reasons),
            "tiers": {str(t): [asdict(c) for c in cs] for t, cs in self.tiers.items()},
        }


class Election(Registered, ABC):
    """Contract: ``run`` ranks the catalog's spot offers for a job; it raises nothing for an empty answer.

    Implementations register by name (``class Mine(Election, name="mine")``); ``sskai`` is the default.
    """

    registry: ClassVar[Registry[Election]] = Registry("election")

    @abstractmethod
    def run(self, job: Job, catalog: Catalog) -> ElectionResult: ...


def elect(name: str | None, job: Job, catalog: Catalog) -> ElectionResult:
    """Run the election registered as ``name`` (the default when None); an unknown name lists the valid ones."""
    return Election.registry.get(name)().run(job, catalog)
