"""Readers for spot traces, each into one of two typed shapes.

- ``AvailabilityTrace``: one pool probed over time — how many of ``capacity`` instances could be had
  at each sample (a 1-node probe is 0 or 1). Formats: a folder of per-zone ``date,availability`` CSVs
  (with an optional ``{"<file stem>": [USD/h, ...]}`` price file), a count JSON
  ``{"metadata": {"gap_seconds": g}, "data": [n, ...]}``, and GCP's ``date, time, n`` group logs.
- ``ClusterEventTrace``: a real spot cluster's ``t_ms,add|remove,node`` events.

Rates are per hour of wall time spent holding capacity, as the data provider's figures are
(``data/PROVENANCE.md``), so a test can check the readers against them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sskai.errors import ConfigError
from sskai.units import SECONDS_PER_HOUR

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class AvailabilityTrace:
    """Samples of one pool: at ``offsets_seconds[i]`` after ``start``, ``available[i]`` instances could be had."""

    name: str
    start: datetime
    offsets_seconds: tuple[float, ...]
    available: tuple[int, ...]
    capacity: int
    spot_usd_per_hour: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.offsets_seconds) != len(self.available) or len(self.available) < 2:
            raise ConfigError(f"trace {self.name}: needs two or more samples with one count each")
        if self.spot_usd_per_hour is not None and len(self.spot_usd_per_hour) != len(self.available):
            raise ConfigError(
                f"trace {self.name}: {len(self.spot_usd_per_hour)} prices for {len(self.available)} samples"
            )

    @property
    def duration_seconds(self) -> float:
        return self.offsets_seconds[-1] - self.offsets_seconds[0]

    def _intervals(self) -> list[tuple[float, int]]:
        """(length, count) of each sample's interval up to the next sample."""
        times, counts = self.offsets_seconds, self.available
        return [(times[i + 1] - times[i], counts[i]) for i in range(len(times) - 1)]

    def up_share(self) -> float:
        """Share of the time at least one instance could be had."""
        up = sum(length for length, count in self._intervals() if count > 0)
        return up / self.duration_seconds

    def losses_per_up_hour(self) -> float:
        """Instance losses (drops in the count) per instance-hour held; for a 1-node probe, up-to-down per up-hour."""
        held_hours = sum(length * count for length, count in self._intervals()) / SECONDS_PER_HOUR
        losses = sum(max(a - b, 0) for a, b in zip(self.available, self.available[1:], strict=False))
        return losses / held_hours if held_hours else float("inf")

    def mean_up_run_hours(self) -> float:
        runs, current = [], 0.0
        for length, count in self._intervals():
            if count > 0:
                current += length
            elif current:
                runs.append(current)
                current = 0.0
        if current:
            runs.append(current)
        return sum(runs) / len(runs) / SECONDS_PER_HOUR if runs else 0.0


@dataclass(frozen=True)
class ClusterEvent:
    at_seconds: float
    kind: Literal["add", "remove"]
    node: str


@dataclass(frozen=True)
class ClusterEventTrace:
    """A real spot cluster: when each node joined (``add``) and was reclaimed (``remove``)."""

    name: str
    events: tuple[ClusterEvent, ...]

    @property
    def duration_seconds(self) -> float:
        return self.events[-1].at_seconds - self.events[0].at_seconds

    @property
    def removals(self) -> int:
        return sum(event.kind == "remove" for event in self.events)

    def held_hours(self) -> float:
        """Instance-hours the cluster held: each node from its add to its remove."""
        held, alive, last = 0.0, 0, self.events[0].at_seconds
        for event in self.events:
            held += alive * (event.at_seconds - last)
            last = event.at_seconds
            alive += 1 if event.kind == "add" else -1
        return held / SECONDS_PER_HOUR

    def removals_per_instance_hour(self) -> float:
        held = self.held_hours()
        return self.removals / held if held else float("inf")


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def read_availability_folder(folder: Path, prices: Path | None = None) -> dict[str, AvailabilityTrace]:
    """Every ``*.csv`` of ``date,availability`` rows in ``folder``, by file stem; prices matched by stem."""
    folder = Path(folder)
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise ConfigError(f"{folder} holds no per-zone date,availability CSV files")
    price_table = json.loads(Path(prices).read_text()) if prices else {}
    traces = {}
    for path in files:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        if not rows or set(rows[0]) != {"date", "availability"}:
            raise ConfigError(f"{path.name}: expected the columns date,availability")
        times = [_parse_time(row["date"]) for row in rows]
        zone_prices = price_table.get(path.stem)
        traces[path.stem] = AvailabilityTrace(
            name=path.stem,
            start=times[0],
            offsets_seconds=tuple((t - times[0]).total_seconds() for t in times),
            available=tuple(int(float(row["availability"])) for row in rows),
            capacity=1,
            spot_usd_per_hour=tuple(float(p) for p in zone_prices) if zone_prices else None,
        )
    return traces


def read_count_json(path: Path, start: datetime | None = None) -> AvailabilityTrace:
    """``{"metadata": {"gap_seconds": g}, "data": [n, ...]}``: n of N instances obtainable every g seconds."""
    document = json.loads(Path(path).read_text())
    try:
        gap = float(document["metadata"]["gap_seconds"])
        counts = [int(n) for n in document["data"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: expected {{'metadata': {{'gap_seconds': g}}, 'data': [n, ...]}}: {exc}") from exc
    return AvailabilityTrace(
        name=Path(path).stem,
        start=start or datetime(1970, 1, 1, tzinfo=UTC),
        offsets_seconds=tuple(i * gap for i in range(len(counts))),
        available=tuple(counts),
        capacity=max(counts),
    )


def read_gcloud_counts(path: Path) -> AvailabilityTrace:
    """GCP managed-group sizes, ``YYYY-MM-DD, HH:MM:SS, n`` (a repeated count adds time, never a loss)."""
    samples: list[tuple[datetime, int]] = []
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        day, clock, count = (part.strip() for part in line.split(","))
        samples.append((_parse_time(f"{day} {clock}"), int(count)))
    if len(samples) < 2:
        raise ConfigError(f"{path}: fewer than two samples")
    start = samples[0][0]
    return AvailabilityTrace(
        name=Path(path).stem,
        start=start,
        offsets_seconds=tuple((t - start).total_seconds() for t, _ in samples),
        available=tuple(n for _, n in samples),
        capacity=max(n for _, n in samples),
    )


def read_cluster_events(path: Path) -> ClusterEventTrace:
    """Rows ``t_ms,add|remove,node`` (no header), in time order."""
    events = []
    with open(path, newline="") as fh:
        for row in csv.reader(fh):
            if not row:
                continue
            t_ms, kind, node = row
            if kind not in {"add", "remove"}:
                raise ConfigError(f"{path}: event {kind!r} is neither add nor remove")
            events.append(ClusterEvent(at_seconds=float(t_ms) / 1000.0, kind=kind, node=node))  # type: ignore[arg-type]
    if not events:
        raise ConfigError(f"{path}: no events")
    return ClusterEventTrace(name=Path(path).stem, events=tuple(sorted(events, key=lambda e: e.at_seconds)))
