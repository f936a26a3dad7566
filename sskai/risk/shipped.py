"""The risk model calibrated on the traces that ship with sskai (built once per process)."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from sskai.catalog.catalog import Catalog
from sskai.risk.model import RiskModel, calibrate
from sskai.risk.observe import PoolObservation, any_zone, observe_availability, zone_region
from sskai.traces.readers import SHIPPED, AvailabilityTrace, read_availability_folder

# The V100 probes asked for this type in every zone (data/PROVENANCE.md).
V100_PROBE_TYPE = "p3.2xlarge"


@cache
def v100_zone_traces() -> dict[str, AvailabilityTrace]:
    """Zone (``us-east-1a``) -> its probe trace, with the zone's spot prices."""
    traces = read_availability_folder(SHIPPED.v100_zones, SHIPPED.v100_prices)
    return {name.removesuffix("_v100_1"): trace for name, trace in traces.items()}


@cache
def v100_observations() -> tuple[PoolObservation, ...]:
    """Each zone's counts (read once per process: the CLI, the dashboard and every calibration share them)."""
    return tuple(
        observe_availability(trace, V100_PROBE_TYPE, zone_region(zone)) for zone, trace in v100_zone_traces().items()
    )


def region_observations(zones: dict[str, AvailabilityTrace]) -> dict[tuple[str, str], PoolObservation]:
    """Per traced region, the "any zone up" observation a multi-zone scheduler sees."""
    grouped: dict[str, list[AvailabilityTrace]] = defaultdict(list)
    for zone, trace in zones.items():
        grouped[zone_region(zone)].append(trace)
    return {
        (V100_PROBE_TYPE, region): observe_availability(any_zone(traces, region), V100_PROBE_TYPE, region)
        for region, traces in grouped.items()
    }


def buckets_of(catalog: Catalog) -> dict[tuple[str, str], str | None]:
    return {(o.instance_type, o.region): o.spot_interruption_frequency for o in catalog.offers}


@cache
def _calibrated(traced_buckets: tuple[tuple[tuple[str, str], str | None], ...]) -> RiskModel:
    return calibrate(v100_observations(), dict(traced_buckets), region_observations(v100_zone_traces()))


def shipped_risk_model(catalog: Catalog) -> RiskModel:
    """Calibrated on the shipped V100 zones, with ``catalog``'s Advisor buckets for their pools.

    The fit depends on nothing else, so it is cached by those buckets: two catalogs that agree on the
    traced pools share one model, and two that differ never do (even under one source name).
    """
    buckets = buckets_of(catalog)
    traced = sorted({(o.instance_type, o.region or "") for o in v100_observations()})
    return _calibrated(tuple((pool, buckets.get(pool)) for pool in traced))
