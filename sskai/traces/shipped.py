"""The traces that ship with sskai, listed once: what each measured, where, and how to read it.

The simulator replays them by name, the replay builds its worlds from them, the risk model is
calibrated on them. Provenance and licences: ``data/PROVENANCE.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sskai.errors import ConfigError
from sskai.traces.readers import (
    DATA_DIR,
    AvailabilityTrace,
    ClusterEventTrace,
    read_availability_folder,
    read_cluster_events,
    read_gcloud_counts,
)

V100_FOLDER = DATA_DIR / "aws_v100_1node_2023"
V100_PRICES = V100_FOLDER / "v100_spot_prices.json"
# The V100 probes asked for this type in every zone.
V100_PROBE_TYPE = "p3.2xlarge"
V100_ZONES = (
    "us-east-1a",
    "us-east-1c",
    "us-east-1d",
    "us-east-1f",
    "us-east-2a",
    "us-east-2b",
    "us-west-2a",
    "us-west-2b",
    "us-west-2c",
)


@dataclass(frozen=True)
class ShippedTrace:
    """One shipped trace. ``zone`` and ``region`` are None where the data does not record them."""

    name: str
    cloud: str
    instance_type: str  # what was asked for (GCP groups: the accelerator's machine)
    zone: str | None
    region: str | None
    path: Path
    read: Callable[[], AvailabilityTrace | ClusterEventTrace]
    group: str  # traces measured together (one world of the replay): "aws-v100-9-zones", ...

    def load(self) -> AvailabilityTrace | ClusterEventTrace:
        return self.read()


@cache
def v100_zone_traces() -> dict[str, AvailabilityTrace]:
    """Zone (``us-east-1a``) -> its probe trace, with the zone's spot prices (read once per process)."""
    traces = read_availability_folder(V100_FOLDER, V100_PRICES)
    return {name.removesuffix("_v100_1"): trace for name, trace in traces.items()}


def _v100(zone: str) -> ShippedTrace:
    return ShippedTrace(
        name=f"v100-{zone}",
        cloud="aws",
        instance_type=V100_PROBE_TYPE,
        zone=zone,
        region=zone[:-1],
        path=V100_FOLDER / f"{zone}_v100_1.csv",
        read=lambda: v100_zone_traces()[zone],
        group="aws-v100-9-zones",
    )


def _cluster(name: str, instance_type: str, file: str) -> ShippedTrace:
    path = DATA_DIR / "bamboo" / file
    return ShippedTrace(
        name=name,
        cloud="aws",
        instance_type=instance_type,
        zone=None,
        region=None,  # not recorded; priced as us-east-1 by the replay
        path=path,
        read=lambda: read_cluster_events(path),
        group=f"aws-{name}",
    )


def _gcp(name: str, machine: str, zone: str, file: str) -> ShippedTrace:
    path = DATA_DIR / "bamboo" / "gcloud" / file
    return ShippedTrace(
        name=name,
        cloud="gcp",
        instance_type=machine,
        zone=zone,
        region=zone.rsplit("-", 1)[0],
        path=path,
        read=lambda: read_gcloud_counts(path),
        group=name,
    )


SHIPPED_TRACES: dict[str, ShippedTrace] = {
    trace.name: trace
    for trace in (
        *(_v100(zone) for zone in V100_ZONES),
        _cluster("p3-cluster", "p3.2xlarge", "p3-trace.csv"),
        _cluster("g4dn-cluster", "g4dn.xlarge", "g4dn-trace.csv"),
        _gcp("gcp-v100-group", "v100x1", "us-east1-c", "v100x1-east1c.txt"),
        _gcp("gcp-a100-group", "a100x1", "us-east1-b", "a100x1-east1b.txt"),
    )
}


def shipped(name: str) -> ShippedTrace:
    if name not in SHIPPED_TRACES:
        raise ConfigError(f"no shipped trace {name!r}; choose one of: {', '.join(SHIPPED_TRACES)}")
    return SHIPPED_TRACES[name]
