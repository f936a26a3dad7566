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
from sskai.errors import ConfigError
from sskai.replay.world import Pool, World
from sskai.risk.observe import zone_region
from sskai.risk.shipped import V100_PROBE_TYPE, v100_zone_traces
from sskai.traces.readers import (
    SHIPPED,
    AvailabilityTrace,
    ClusterEventTrace,
    read_availability_folder,
    read_cluster_events,
    read_count_json,
    read_gcloud_counts,
)

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


def trace_start():
    from datetime import UTC, datetime

    return datetime(1970, 1, 1, tzinfo=UTC)


def world_from_traces(
    name: str,
    traces: dict[str, AvailabilityTrace],
    ondemand_usd_per_hour: float,
    spot_usd_per_hour: float | None = None,
    home_region: str = DEFAULT_REGION,
    instance_type: str = "",
    gap_seconds: float | None = None,
) -> World:
    """One pool per trace; a pool named like a zone (``us-east-1a``) is in that zone's region."""
    if not traces:
        raise ConfigError(f"{name}: no traces")
    first = next(iter(traces.values()))
    gap = gap_seconds or float(np.median(np.diff(first.offsets_seconds)))
    pools = []
    length = min(int(t.duration_seconds // gap) + 1 for t in traces.values())
    for pool_name, trace in sorted(traces.items()):
        counts, prices = resample(trace, gap)
        if prices is None:
            if spot_usd_per_hour is None:
                raise ConfigError(f"trace {pool_name} has no prices: give --spot-price")
            prices = np.full(len(counts), spot_usd_per_hour)
        zone = pool_name.split("_")[0]
        region = zone_region(zone) if zone[:2].isalpha() and zone[-2].isdigit() else home_region
        pools.append(Pool(pool_name.split("_")[0], region, counts[:length], prices[:length].astype(float)))
    return World(name, gap, tuple(pools), ondemand_usd_per_hour, home_region, instance_type)


def shipped_worlds(catalog: Catalog, home_region: str = DEFAULT_REGION) -> list[World]:
    """The V100 zones with their real prices, and the p3 and g4dn cluster logs at the catalog's prices.

    Assumptions: the cluster logs' region is not recorded; they are priced as us-east-1 (the
    catalog's average spot and on-demand price for p3.2xlarge and g4dn.xlarge).
    """
    v100 = v100_zone_traces()
    ondemand = catalog.offer(V100_PROBE_TYPE, "us-east-1").ondemand_usd_per_hour
    worlds = [
        world_from_traces("aws-v100-9-zones", v100, ondemand, home_region=home_region, instance_type=V100_PROBE_TYPE)
    ]
    for label, path, instance_type in (
        ("aws-p3-cluster", SHIPPED.p3_cluster, "p3.2xlarge"),
        ("aws-g4dn-cluster", SHIPPED.g4dn_cluster, "g4dn.xlarge"),
    ):
        offer = catalog.offer(instance_type, DEFAULT_REGION)
        counts = cluster_counts(read_cluster_events(path))
        worlds.append(
            world_from_traces(
                label,
                {f"{DEFAULT_REGION}-cluster": counts},
                offer.ondemand_usd_per_hour,
                offer.spot_avg_usd_per_hour,
                home_region=DEFAULT_REGION,
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
    }
