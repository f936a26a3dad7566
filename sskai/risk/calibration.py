"""How well the risk model predicts a pool it has not seen: each traced zone held out in turn.

For every zone, the model is calibrated on the other zones and asked for the held-out zone's
hazard and availability twice: from its Advisor bucket alone (how sskai treats an untraced pool)
and from its region's other zones (how it treats a zone of a traced region). The Advisor bucket
read literally (a monthly probability as a Poisson rate) is reported beside them for scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from sskai.risk.model import advisor_rate_per_hour, availability_from, calibrate, pooled_hazard, pooled_wait_hours
from sskai.risk.observe import PoolObservation


@dataclass(frozen=True)
class HeldOutZone:
    zone: str
    observed_hazard: float
    observed_availability: float
    bucket_hazard: float  # predicted from the Advisor bucket, scale fitted without this zone
    bucket_availability: float
    region_hazard: float | None  # predicted from the region's other zones (None: no other zone)
    region_availability: float | None
    advisor_literal_hazard: float

    def errors(self) -> dict[str, float | None]:
        def error(predicted: float | None, observed: float) -> float | None:
            return None if predicted is None else abs(predicted - observed)

        return {
            "bucket_hazard": error(self.bucket_hazard, self.observed_hazard),
            "bucket_availability": error(self.bucket_availability, self.observed_availability),
            "region_hazard": error(self.region_hazard, self.observed_hazard),
            "region_availability": error(self.region_availability, self.observed_availability),
            "advisor_literal_hazard": error(self.advisor_literal_hazard, self.observed_hazard),
        }


@dataclass(frozen=True)
class CalibrationReport:
    zones: tuple[HeldOutZone, ...]

    def mean_absolute_error(self) -> dict[str, float]:
        columns: dict[str, list[float]] = {}
        for zone in self.zones:
            for name, value in zone.errors().items():
                if value is not None:
                    columns.setdefault(name, []).append(value)
        return {name: sum(values) / len(values) for name, values in columns.items()}

    def as_dict(self) -> dict:
        return {
            "zones": [{**asdict(z), "errors": z.errors()} for z in self.zones],
            "mean_absolute_error": self.mean_absolute_error(),
        }


def hold_out_each_zone(
    observations: Sequence[PoolObservation], buckets: Mapping[tuple[str, str], str | None]
) -> CalibrationReport:
    rows = []
    for held in observations:
        rest = [o for o in observations if o is not held]
        model = calibrate(rest, buckets)
        bucket = buckets.get((held.instance_type, held.region or ""))
        as_untraced = model.risk(held.instance_type, f"{held.region} (held out)", bucket)
        mates = [o for o in rest if o.region == held.region]
        region_hazard = region_availability = None
        if mates:
            region_hazard = pooled_hazard(mates)
            region_availability = availability_from(region_hazard, pooled_wait_hours(mates))
        rows.append(
            HeldOutZone(
                zone=held.pool,
                observed_hazard=held.hazard_per_hour,
                observed_availability=held.availability or 0.0,
                bucket_hazard=as_untraced.hazard_per_hour,
                bucket_availability=as_untraced.availability,
                region_hazard=region_hazard,
                region_availability=region_availability,
                advisor_literal_hazard=advisor_rate_per_hour(bucket),
            )
        )
    return CalibrationReport(tuple(rows))
