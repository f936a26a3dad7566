"""Per-pool spot risk: a preemption hazard, an obtainability and the expected wait for capacity.

Assumptions, stated once (the README repeats them):

1. A pool (instance type x region) alternates between holding capacity and not. Time held is
   exponential with rate = the hazard (losses per instance-hour held); a spell without capacity
   lasts ``mean_wait_hours`` on average. Availability then is 1 / (1 + hazard x mean wait).
2. A pool with a trace takes its figures from the trace: the hazard pooled over its zones, the
   availability and wait of "any zone up" (a scheduler may use every zone of a region). The V100
   traces are obtainability probes read as preemptions (as Can't Be Late and SkyNomad read them);
   that probably overstates the loss of a running instance, so hazards here err on the cautious side.
3. A pool without a trace is carried by its Spot Instance Advisor bucket: the bucket's midpoint
   monthly probability as a Poisson rate, times a factor calibrated so that the traced pools'
   buckets reproduce the traced hazards (one factor per calibrated bucket; their geometric mean for
   the others). The bucket orders pools; the traces set the scale. An unknown bucket is the worst.
4. Its wait is the traced pools' pooled mean wait. Where a live refresh brought a spot placement
   score (1-10), availability is score / 10 (clipped to 0.05..0.95) and the wait follows from
   assumption 1; the shipped traces carry no scores, so this mapping is an assumption, not a fit.

``sskai.risk.calibration`` reports how well this predicts each traced zone when that zone is held out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from sskai.risk.observe import PoolObservation
from sskai.units import HOURS_PER_MONTH

# Spot Advisor buckets are ranges of monthly interruption frequency; take each range's midpoint.
# '>20%' has no upper end: 30% is assumed. An unknown bucket is treated as the worst known one.
BUCKET_MONTHLY_PROBABILITY = {"<5%": 0.025, "5-10%": 0.075, "10-15%": 0.125, "15-20%": 0.175, ">20%": 0.30}
WORST_BUCKET = ">20%"
PLACEMENT_SCORE_AVAILABILITY_RANGE = (0.05, 0.95)
# Without any trace (a model calibrated on nothing), the figures fall back to the Advisor's own reading.
UNCALIBRATED_WAIT_HOURS = 1.0


def advisor_rate_per_hour(bucket: str | None) -> float:
    """The Advisor bucket read literally: its monthly probability as a Poisson rate per hour."""
    probability = BUCKET_MONTHLY_PROBABILITY.get(bucket or "", BUCKET_MONTHLY_PROBABILITY[WORST_BUCKET])
    return -math.log(1.0 - probability) / HOURS_PER_MONTH


@dataclass(frozen=True)
class PoolRisk:
    """What a policy needs to know about one pool, and where each figure came from."""

    hazard_per_hour: float
    availability: float
    mean_wait_hours: float
    source: str  # "trace", "advisor bucket", "advisor bucket + placement score"
    basis: str  # the evidence in words

    @property
    def explained(self) -> str:
        """Where the figures came from, in one phrase: "trace: 3 traced zone(s) over 45.6 days: ..."."""
        return f"{self.source}: {self.basis}"

    @property
    def expected_start_wait_hours(self) -> float:
        """Expected wait before a launch succeeds: the pool is down (1 - availability) of the time."""
        return (1.0 - self.availability) * self.mean_wait_hours

    def as_numbers(self) -> dict[str, float]:
        numbers = {k: v for k, v in asdict(self).items() if isinstance(v, float)}
        return {**numbers, "expected_start_wait_hours": self.expected_start_wait_hours}


def availability_from(hazard_per_hour: float, mean_wait_hours: float) -> float:
    return 1.0 / (1.0 + hazard_per_hour * mean_wait_hours)


@dataclass(frozen=True)
class RiskModel:
    bucket_hazard_per_hour: Mapping[str, float]
    mean_wait_hours: float
    traced: Mapping[tuple[str, str], PoolRisk] = field(default_factory=dict)  # (instance type, region)
    bucket_scale: Mapping[str, float] = field(default_factory=dict)  # calibrated hazard / Advisor rate
    calibrated_on: tuple[str, ...] = ()

    def risk(
        self, instance_type: str, region: str, bucket: str | None = None, placement_score: int | None = None
    ) -> PoolRisk:
        traced = self.traced.get((instance_type, region))
        if traced is not None:
            return traced
        known = bucket if bucket in self.bucket_hazard_per_hour else WORST_BUCKET
        hazard = self.bucket_hazard_per_hour[known]
        scale = self.bucket_scale.get(known)
        # In words a PyTorch user knows: what AWS publishes, and how far the real traces say to trust it.
        said = f"AWS says {bucket} of these instances are interrupted in a month" if bucket else "AWS publishes no rate"
        basis = said + (
            f"; in the {len(self.calibrated_on)} pools with real traces, interruptions came {scale:.0f}x as often "
            "as that figure read literally, so it is scaled up as much"
            if scale
            else "; taken as it is (no trace to calibrate on)"
        )
        if bucket is None:
            basis += " (the worst published rate assumed)"
        if placement_score is not None:
            low, high = PLACEMENT_SCORE_AVAILABILITY_RANGE
            availability = min(max(placement_score / 10.0, low), high)
            wait = (1.0 - availability) / (availability * hazard) if hazard > 0 else 0.0
            return PoolRisk(
                hazard,
                availability,
                wait,
                "advisor bucket + placement score",
                f"{basis}; placement score {placement_score}",
            )
        return PoolRisk(
            hazard,
            availability_from(hazard, self.mean_wait_hours),
            self.mean_wait_hours,
            "advisor bucket",
            f"{basis}; wait pooled over traced zones",
        )

    def for_offer(self, offer) -> PoolRisk:
        return self.risk(
            offer.instance_type, offer.region, offer.spot_interruption_frequency, offer.spot_placement_score
        )


def pooled_hazard(observations: Iterable[PoolObservation]) -> float:
    observations = list(observations)
    return sum(o.losses for o in observations) / sum(o.held_hours for o in observations)


def pooled_wait_hours(observations: Iterable[PoolObservation]) -> float:
    with_spells = [o for o in observations if o.up_hours is not None and o.down_spells]
    if not with_spells:
        return UNCALIBRATED_WAIT_HOURS
    return sum(o.down_hours for o in with_spells) / sum(o.down_spells for o in with_spells)


def calibrate(
    observations: Iterable[PoolObservation],
    buckets: Mapping[tuple[str, str], str | None],
    regions: Mapping[tuple[str, str], PoolObservation] | None = None,
) -> RiskModel:
    """Fit the bucket scale and the pooled wait on ``observations`` (zones with a known region).

    ``buckets`` gives each (instance type, region)'s Advisor bucket. ``regions`` optionally gives the
    "any zone up" observation of a traced region; its pool then takes its figures from the traces.
    """
    zones = [o for o in observations if o.region is not None and o.held_hours > 0]
    by_bucket: dict[str, list[PoolObservation]] = defaultdict(list)
    for obs in zones:
        by_bucket[buckets.get((obs.instance_type, obs.region)) or WORST_BUCKET].append(obs)
    scale = {bucket: pooled_hazard(obs) / advisor_rate_per_hour(bucket) for bucket, obs in by_bucket.items()}
    common = math.exp(sum(math.log(s) for s in scale.values()) / len(scale)) if scale else 1.0
    bucket_hazard = {b: advisor_rate_per_hour(b) * scale.get(b, common) for b in BUCKET_MONTHLY_PROBABILITY}
    wait = pooled_wait_hours(zones)
    traced = {}
    by_pool: dict[tuple[str, str], list[PoolObservation]] = defaultdict(list)
    for obs in zones:
        by_pool[(obs.instance_type, obs.region)].append(obs)
    for key, members in by_pool.items():
        combined = (regions or {}).get(key)
        hazard = pooled_hazard(members)
        if combined is not None and combined.availability is not None:
            availability, pool_wait = combined.availability, combined.mean_wait_hours or 0.0
        else:
            pool_wait = pooled_wait_hours(members)
            availability = availability_from(hazard, pool_wait)
        days = max(o.hours for o in members) / 24
        traced[key] = PoolRisk(
            hazard,
            availability,
            pool_wait,
            "trace",
            f"{len(members)} traced zone(s) over {days:.1f} days: {sum(o.losses for o in members)} losses in "
            f"{sum(o.held_hours for o in members):,.0f} instance-hours",
        )
    return RiskModel(
        bucket_hazard_per_hour=bucket_hazard,
        mean_wait_hours=wait,
        traced=traced,
        bucket_scale={b: scale.get(b, common) for b in BUCKET_MONTHLY_PROBABILITY},
        calibrated_on=tuple(o.pool for o in zones),
    )
