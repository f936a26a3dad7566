"""Worlds from traces: the shipped ones, and any trace a user brings (``--trace PATH``).

Formats read: a folder of per-zone ``date,availability`` CSVs (prices from a ``{"<stem>": [...]}``
JSON beside them, or one given price); a count JSON ``{"metadata": {"gap_seconds": g}, "data":
[n, ...]}``; an add/remove event CSV (``t_ms,add|remove,node``, counted every ``gap`` seconds); and
GCP's ``date, time, n`` group logs. Every trace becomes pools sampled on one even tick.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sskai.catalog.catalog import Catalog
from sskai.catalog.regions import is_zone, region_of
from sskai.errors import ConfigError
from sskai.replay.world import Pool, World
from sskai.traces.readers import (
    AvailabilityTrace,
    ClusterEventTrace,
    read_availability_folder,
    read_cluster_events,
    read_count_json,
    read_gcloud_counts,
)
from sskai.traces.shipped import SHIPPED_TRACES, V100_PROBE_TYPE, v100_zone_traces

CLUSTER_GAP_SECONDS = 60.0
LOG_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a cluster log has only times relative to its start
DEFAULT_REGION = "us-east-1"


def resample(trace: AvailabilityTrace, gap_seconds: float) -> tuple[np.ndarray, np.ndarray | None]:
    """Counts (and prices) held from each sample to the next, read every ``gap_seconds``."""
    times = np.asarray(trace.offsets_seconds)
    grid = np.arange(0.0, times[-1] + 1e-9, gap_seconds)
    index = np.searchsorted(times, grid, side="right") - 1
    counts = np.asarray(trace.available)[index]
    prices = None if trace.spot_usd_per_hour is None else np.asarray(trace.spot_usd_per_hour)[index]
    return counts, prices


def cluster_counts(trace: ClusterEventTrace) -> AvailabilityTrace:
    """A cluster log as the count of live nodes after each event (n of N obtainable)."""
    alive, times, counts = 0, [], []
    origin = trace.events[0].at_seconds
    for event in trace.events:
        alive += 1 if event.kind == "add" else -1
        at = event.at_seconds - origin
        if times and times[-1] == at:
            counts[-1] = alive
        else:
            times.append(at)
            counts.append(alive)
    return AvailabilityTrace(
        name=trace.name,
        start=LOG_EPOCH,
        offsets_seconds=tuple(times),
        available=tuple(counts),
        capacity=max(counts),
    )


# Traces of one world must cover (nearly) one period: this much of the longest, or the world is refused.
MIN_OVERLAP_SHARE = 0.9


def world_from_traces(
    name: str,
    traces: dict[str, AvailabilityTrace],
    ondemand_usd_per_hour: float,
    spot_usd_per_hour: float | None = None,
    home_region: str = DEFAULT_REGION,
    instance_type: str = "",
    gap_seconds: float | None = None,
) -> World:
    """One pool per trace, on one clock. A pool named like a zone (``us-east-1a``, ``us-east1-b``) is in
    that zone's region; any other name is in ``home_region``, and the world says so.

    Traces are aligned on their absolute times and cut to the period they all cover; traces that
    share less than ``MIN_OVERLAP_SHARE`` of it are refused with the reason, not silently cut.
    """
    if not traces:
        raise ConfigError(f"{name}: no traces")
    first = next(iter(traces.values()))
    gap = gap_seconds or float(np.median(np.diff(first.offsets_seconds)))
    starts = {pool: trace.start.timestamp() + trace.offsets_seconds[0] for pool, trace in traces.items()}
    ends = {pool: trace.start.timestamp() + trace.offsets_seconds[-1] for pool, trace in traces.items()}
    common_start, common_end = max(starts.values()), min(ends.values())
    longest = max(ends[p] - starts[p] for p in traces)
    if common_end - common_start < MIN_OVERLAP_SHARE * longest:
        spans = ", ".join(
            f"{p}: {(ends[p] - starts[p]) / 86400:.1f} days from {traces[p].start:%Y-%m-%d}" for p in sorted(traces)
        )
        raise ConfigError(
            f"{name}: its traces cover different periods ({spans}); give traces over one period, "
            f"or trim them to the one they share"
        )
    notes = []
    if common_end - common_start < longest - gap:
        notes.append(f"cut to the {(common_end - common_start) / 86400:.2f} days every trace covers")
    length = int((common_end - common_start) // gap) + 1
    pools = []
    for pool_name, trace in sorted(traces.items()):
        counts, prices = resample(trace, gap)
        skip = round((common_start - starts[pool_name]) / gap)
        if prices is None:
            if spot_usd_per_hour is None:
                raise ConfigError(f"trace {pool_name} has no prices: give --spot-price")
            prices = np.full(len(counts), spot_usd_per_hour)
        pool = pool_name.split("_")[0]
        if is_zone(pool):
            region = region_of(pool)
        else:
            region = home_region
            notes.append(f"pool {pool} is not named like a zone: taken to be in {home_region}")
        window = slice(skip, skip + length)
        pools.append(Pool(pool, region, counts[window], prices[window].astype(float)))
    return World(name, gap, tuple(pools), ondemand_usd_per_hour, home_region, instance_type, notes=tuple(notes))


# GCP's groups are priced as the AWS instance with the same accelerator (per GPU), from the catalog: an
# assumption (the data carries no GCP prices) that keeps their spot-to-on-demand ratio realistic.
GCP_EQUIVALENTS = {"v100x1": ("p3.2xlarge", 1), "a100x1": ("p4d.24xlarge", 8)}


def shipped_worlds(catalog: Catalog, home_region: str = DEFAULT_REGION) -> list[World]:
    """Every shipped trace as a world: the 9 V100 zones with their real prices, the p3 and g4dn cluster
    logs at the catalog's us-east-1 prices, and GCP's V100 and A100 preemptible groups.

    Assumptions: the cluster logs' region is not recorded (priced as us-east-1); GCP's groups are
    priced as their AWS equivalents per GPU (``GCP_EQUIVALENTS``), with the data in their own region.
    """
    v100 = v100_zone_traces()
    ondemand = catalog.offer(V100_PROBE_TYPE, "us-east-1").ondemand_usd_per_hour
    worlds = [
        world_from_traces("aws-v100-9-zones", v100, ondemand, home_region=home_region, instance_type=V100_PROBE_TYPE)
    ]
    for trace in SHIPPED_TRACES.values():
        if trace.cloud == "aws" and trace.zone is None:  # a cluster log: counts of live nodes
            offer = catalog.offer(trace.instance_type, DEFAULT_REGION)
            pool, counts, region = f"{DEFAULT_REGION}-cluster", cluster_counts(trace.load()), DEFAULT_REGION
            spot, od, instance_type = offer.spot_avg_usd_per_hour, offer.ondemand_usd_per_hour, trace.instance_type
        elif trace.cloud == "gcp":
            equivalent, gpus = GCP_EQUIVALENTS[trace.instance_type]
            offer = catalog.offer(equivalent, DEFAULT_REGION)
            pool, counts = trace.zone or trace.name, trace.load()
            spot, od = offer.spot_avg_usd_per_hour / gpus, offer.ondemand_usd_per_hour / gpus
            region, instance_type = trace.region or home_region, trace.instance_type
        else:
            continue  # the V100 zones are one world (above)
        worlds.append(
            world_from_traces(
                trace.group,
                {pool: counts},
                od,
                spot,
                home_region=region,
                instance_type=instance_type,
                gap_seconds=CLUSTER_GAP_SECONDS,
            )
        )
    return worlds


def world_from_path(
    path: Path,
    spot_usd_per_hour: float | None,
    ondemand_usd_per_hour: float,
    home_region: str = DEFAULT_REGION,
    instance_type: str = "",
) -> World:
    """A user's trace, by its format (see the module docstring)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"--trace {path}: no such file or folder")
    common = {"home_region": home_region, "instance_type": instance_type, "spot_usd_per_hour": spot_usd_per_hour}
    if path.is_dir():
        prices = next(iter(sorted(path.glob("*.json"))), None)
        traces = read_availability_folder(path, prices)
        return world_from_traces(path.name, traces, ondemand_usd_per_hour, **common)
    if path.suffix == ".json":
        return world_from_traces(path.stem, {path.stem: read_count_json(path)}, ondemand_usd_per_hour, **common)
    head = path.read_text().splitlines()[:1]
    if head and head[0].count(",") == 2 and head[0].split(",")[1].strip() in {"add", "remove"}:
        counts = cluster_counts(read_cluster_events(path))
        return world_from_traces(
            path.stem, {path.stem: counts}, ondemand_usd_per_hour, gap_seconds=CLUSTER_GAP_SECONDS, **common
        )
    if head and head[0].count(",") == 2:
        counts = read_gcloud_counts(path)
        return world_from_traces(
            path.stem, {path.stem: counts}, ondemand_usd_per_hour, gap_seconds=CLUSTER_GAP_SECONDS, **common
        )
    raise ConfigError(
        f"--trace {path}: not a folder of date,availability CSVs, a count JSON, an add/remove event CSV "
        "or a GCP group log"
    )


def describe(world: World) -> dict:
    return {
        "name": world.name,
        "pools": [p.name for p in world.pools],
        "ticks": world.ticks,
        "tick_seconds": world.tick_seconds,
        "days": world.ticks * world.tick_seconds / 86400,
        "ondemand_usd_per_hour": world.ondemand_usd_per_hour,
        "mean_spot_usd_per_hour": float(np.mean([p.spot_usd_per_hour.mean() for p in world.pools])),
        "home_region": world.home_region,
        "regions": sorted({p.region for p in world.pools}),
        "notes": list(world.notes),
    }
