"""The risk model calibrated on the traces that ship with sskai (built once per process)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import cache

from sskai.catalog.catalog import Catalog, spot_usd_per_hour
from sskai.catalog.regions import region_of
from sskai.plans import PoolCandidate
from sskai.risk.model import RiskModel, calibrate
from sskai.risk.observe import PoolObservation, any_zone, observe_availability
from sskai.traces.readers import AvailabilityTrace
from sskai.traces.shipped import V100_PROBE_TYPE, v100_zone_traces


def truncated(trace: AvailabilityTrace, until_seconds: float) -> AvailabilityTrace:
    """``trace`` up to ``until_seconds`` after its start: what was known by then."""
    keep = sum(1 for offset in trace.offsets_seconds if offset <= until_seconds)
    prices = trace.spot_usd_per_hour[:keep] if trace.spot_usd_per_hour is not None else None
    return replace(
        trace, offsets_seconds=trace.offsets_seconds[:keep], available=trace.available[:keep], spot_usd_per_hour=prices
    )


@cache
def v100_zones_until(until_seconds: float | None) -> dict[str, AvailabilityTrace]:
    """The V100 zones as known ``until_seconds`` after the trace began (None: the whole trace)."""
    zones = v100_zone_traces()
    return zones if until_seconds is None else {zone: truncated(t, until_seconds) for zone, t in zones.items()}


@cache
def v100_observations(until_seconds: float | None = None) -> tuple[PoolObservation, ...]:
    """Each zone's counts (read once per process: the CLI, the dashboard and every calibration share them)."""
    return tuple(
        observe_availability(trace, V100_PROBE_TYPE, region_of(zone))
        for zone, trace in v100_zones_until(until_seconds).items()
    )


def region_observations(zones: dict[str, AvailabilityTrace]) -> dict[tuple[str, str], PoolObservation]:
    """Per traced region, the "any zone up" observation a multi-zone scheduler sees."""
    grouped: dict[str, list[AvailabilityTrace]] = defaultdict(list)
    for zone, trace in zones.items():
        grouped[region_of(zone)].append(trace)
    return {
        (V100_PROBE_TYPE, region): observe_availability(any_zone(traces, region), V100_PROBE_TYPE, region)
        for region, traces in grouped.items()
    }


def buckets_of(catalog: Catalog) -> dict[tuple[str, str], str | None]:
    return {(o.instance_type, o.region): o.spot_interruption_frequency for o in catalog.offers}


@cache
def _calibrated(
    traced_buckets: tuple[tuple[tuple[str, str], str | None], ...], until_seconds: float | None
) -> RiskModel:
    return calibrate(
        v100_observations(until_seconds), dict(traced_buckets), region_observations(v100_zones_until(until_seconds))
    )


def shipped_risk_model(catalog: Catalog, until_seconds: float | None = None) -> RiskModel:
    """Calibrated on the shipped V100 zones, with ``catalog``'s Advisor buckets for their pools.

    ``until_seconds`` calibrates on the trace's first seconds only: what a replay of the later days
    may be told without being told its own future. The fit depends on nothing else, so it is cached
    by those buckets and that cut: two catalogs that agree on the traced pools share one model.
    """
    buckets = buckets_of(catalog)
    traced = sorted({(o.instance_type, o.region or "") for o in v100_observations()})
    return _calibrated(tuple((pool, buckets.get(pool)) for pool in traced), until_seconds)


def offer_candidate(catalog: Catalog, instance_type: str, region: str, **estimates: float) -> PoolCandidate:
    """``instance_type`` in ``region`` as a plan's candidate pool: the catalog's prices and the shipped risk."""
    offer = catalog.offer(instance_type, region)
    risk = shipped_risk_model(catalog).for_offer(offer)
    return PoolCandidate(
        instance_type=offer.instance_type,
        region=offer.region,
        spot_usd_per_hour=spot_usd_per_hour(offer),
        ondemand_usd_per_hour=offer.ondemand_usd_per_hour or spot_usd_per_hour(offer),
        hazard_per_hour=risk.hazard_per_hour,
        availability=risk.availability,
        mean_wait_hours=risk.mean_wait_hours,
        risk_basis=risk.explained,
        **estimates,
    )
