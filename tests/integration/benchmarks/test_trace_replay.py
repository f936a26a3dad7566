"""The trace-replay benchmark, run as a user runs it, on a trace of each format it reads."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.helpers import ROOT


def replay(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.trace_replay", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_benchmark_replays_each_trace_format(tmp_path: Path) -> None:
    rng = random.Random(3)
    counts = [max(0, min(8, 6 + rng.choice([-1, 0, 0, 1]) * (i % 7 == 0))) for i in range(900)]
    (tmp_path / "counts.json").write_text(json.dumps({"metadata": {"gap_seconds": 60}, "data": counts}))
    folder = tmp_path / "zones"
    folder.mkdir()
    start = datetime(2023, 2, 15, 22, 0, tzinfo=UTC)
    for zone in ("us-east-1a_v100_1", "us-west-2a_v100_1"):
        rows = [
            f"{start + timedelta(seconds=195 * i):%Y-%m-%d %H:%M:%S},{rng.choice([0, 1, 1, 1])}" for i in range(300)
        ]
        (folder / f"{zone}.csv").write_text("date,availability\n" + "\n".join(rows) + "\n")
    events = tmp_path / "events.csv"
    events.write_text("".join(f"{i * 60_000},add,n{i}\n" for i in range(6)) + "3600000,remove,n1\n50000000,add,n9\n")
    policies: set[str] | None = None
    for trace in (tmp_path / "counts.json", folder, events):
        out = tmp_path / f"{trace.stem}.json"
        ran = replay(
            "--trace",
            str(trace),
            "--spot-price",
            "0.9",
            "--on-demand-price",
            "3.06",
            "--starts",
            "2",
            "--out",
            str(out),
        )
        assert ran.returncode == 0, ran.stderr[-2000:]
        results = json.loads(out.read_text())
        policies = policies or set(results["overall"])
        assert set(results["overall"]) == policies and "optimum" in policies and "sskai" in policies
        for row in results["rows"]:
            for outcome in row["policies"].values():
                if outcome["deadline_met"]:
                    assert outcome["cost_usd"] >= row["optimum_usd"] - 1e-9
    refused = replay("--trace", str(events))  # no on-demand price
    assert refused.returncode != 0 and "on-demand" in refused.stderr
