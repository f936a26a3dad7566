"""Spot replicas through a real trace window: requests sent and failed, p99 during preemptions, cost against
on-demand replicas, with and without the on-demand floor; the same fleet replayed over every shipped trace
under each spot policy; and the cost of a million requests per target.

The window is the stretch of the nine-zone V100 trace (``aws-v100-9-zones``, real per-zone prices) with
the most capacity losses across its pools; it is played ``--time-scale`` times fast against a real
replicated endpoint (router and replica processes on this machine, the ``mlp`` example) while
``--clients`` clients send requests back to back. The fleet wants two spot replicas; one run adds an
on-demand floor of one. Every replica a pool loses is drained on EC2's two-minute notice (scaled).
The cost of a million requests compares Lambda and SageMaker Serverless (list prices, the latency
measured here, billed at a fixed 1,024 MB) with one spot replica of the window's cheapest pool, busy at the
throughput measured here.

The replay steps the same fleet planner on the books only (``sskai.serving.fleet.replay_fleet``) over a
week of each shipped trace: on the V100 trace the week after the risk model's calibration days, on the
others their first week; every registered spot policy, with and without the floor.

Run: .venv/bin/python -m benchmarks.serving_fleet [--ticks 30] [--time-scale 120] [--clients 8] [--replay-only]
(prints three tables, two with --replay-only; writes benchmarks/results/serving_fleet.json)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.load import Load
from sskai.bundles.files import materialize_bundle
from sskai.bundles.spec import model_spec
from sskai.bundles.upload import upload_model
from sskai.catalog import load_catalog
from sskai.costs.money import lambda_charge, sagemaker_serverless_usd
from sskai.examples import build_example
from sskai.kinds import ServingKind, Status
from sskai.replay.sources import shipped_worlds
from sskai.replay.world import World
from sskai.risk.shipped import shipped_risk_model
from sskai.serving.auth import hash_key
from sskai.serving.fleet import FleetTarget, replay_fleet
from sskai.serving.fleet_driver import drive_fleet
from sskai.serving.process import EndpointLimits
from sskai.serving.targets import EndpointLaunch, target_named
from sskai.spot.policy import SpotPolicy
from sskai.store.metadata import Endpoint
from sskai.store.stores import open_stores
from sskai.units import SECONDS_PER_HOUR

RESULTS = Path(__file__).parent / "results" / "serving_fleet.json"
KEY = "fleet-benchmark"
LAMBDA_MEMORY_MB = 1024
CALIBRATION_DAYS = 11.0  # as the training replay: the V100 trace's first days calibrate, the fleet plays later
REPLAY_DAYS = 7.0
SPOT_WANTED = 2


def busiest_window(world: World, ticks: int) -> int:
    """The start tick whose next ``ticks`` hold the most falls of a pool from capacity to none."""
    capacity = world.capacity
    falls = ((capacity[:, :-1] >= 1) & (capacity[:, 1:] < 1)).sum(axis=0)
    totals = np.convolve(falls, np.ones(ticks, dtype=np.int64), mode="valid")
    return int(np.argmax(totals))


def p99(latencies: list[float]) -> float | None:
    return float(np.percentile(latencies, 99)) if latencies else None


def one_run(stores, model, bundle: Path, world: World, start: int, ticks: int, floor: int, args) -> dict[str, Any]:
    endpoint_id = uuid.uuid4().hex
    launch = EndpointLaunch(
        name="fleet",
        kind=ServingKind.SPOT,
        bundle_dir=bundle,
        spec=model_spec(model),
        weights=None,
        api_key_sha256=hash_key(KEY),
        workdir=stores.settings.endpoints_dir / endpoint_id,
        limits=EndpointLimits.of(stores.settings),
        endpoint_id=endpoint_id,
    )
    target = target_named("replicas", stores.settings)
    running = target.start(launch)
    record = Endpoint(
        id=endpoint_id,
        name="fleet",
        kind=ServingKind.SPOT,
        runtime="replicas",
        url=running.url,
        pid=running.pid,
        api_key_sha256="-",
        status=Status.READY,
    )
    body = json.dumps({"inputs": np.zeros((1, 8)).tolist()}).encode()
    try:
        with Load(running.url, KEY, body, args.clients) as load:
            began = time.monotonic()
            run = drive_fleet(
                target,
                record,
                world,
                FleetTarget(spot_wanted=SPOT_WANTED, floor=floor),
                start,
                ticks,
                args.time_scale,
                shipped_risk_model(load_catalog(), until_seconds=start * world.tick_seconds),
                show_progress=True,
            )
            wall = time.monotonic() - began
    finally:
        target.stop(record)
    during = [
        s.latency_ms for s in load.sent for noticed, gone in run.preemptions if noticed <= s.started <= gone + 2.0
    ]
    latencies = [s.latency_ms for s in load.sent]
    return {
        "floor": floor,
        "requests": len(load.sent),
        "failed": len(load.failures),
        "p50_ms": statistics.median(latencies),
        "p99_ms": p99(latencies),
        "p99_during_preemptions_ms": p99(during),
        "preemptions": run.preempted,
        "requests_per_second": len(load.sent) / wall,
        "usd": run.usd,
        "ondemand_replicas_usd": run.ondemand_only_usd,
        "ratio_to_ondemand": run.usd / run.ondemand_only_usd,
        "ondemand_replica_ticks": sum(run.ondemand),
        "decisions": run.reasons,
    }


def replayed(worlds: list[World]) -> list[dict[str, Any]]:
    """Every policy's fleet, floor 0 and 1, over a week of each trace (out of sample on the V100 trace)."""
    calibrated = CALIBRATION_DAYS * 86400
    risk = shipped_risk_model(load_catalog(), until_seconds=calibrated)
    rows = []
    for world in worlds:
        start = int(calibrated / world.tick_seconds) if world.name == "aws-v100-9-zones" else 0
        ticks = min(world.ticks - start, int(REPLAY_DAYS * 86400 / world.tick_seconds))
        for policy in SpotPolicy.registry.names():
            for floor in (0, 1):
                outcome = replay_fleet(world, FleetTarget(SPOT_WANTED, floor, policy=policy), start, ticks, risk)
                held = outcome.spot_replica_hours + outcome.ondemand_replica_hours
                rows.append(
                    {
                        "trace": world.name,
                        "pools": len(world.pools),
                        "days": ticks * world.tick_hours / 24,
                        "policy": policy,
                        "floor": floor,
                        "usd": outcome.usd,
                        "ondemand_fleet_usd": outcome.ondemand_only_usd,
                        "ratio_to_ondemand": outcome.ratio_to_ondemand,
                        "spot_share": outcome.spot_replica_hours / held if held else 0.0,
                        "preemptions": outcome.preemptions,
                        "launches": outcome.launches,
                    }
                )
    return rows


def replay_table(rows: list[dict[str, Any]]) -> Table:
    """Policies down, traces across: cost x the on-demand fleet, without / with the floor."""
    traces = list(dict.fromkeys(row["trace"] for row in rows))
    table = Table(title=f"{SPOT_WANTED} spot replicas over a week of each trace: x on-demand, floor 0 / floor 1")
    table.add_column("policy")
    for trace in traces:
        table.add_column(trace, justify="right")
    for policy in dict.fromkeys(row["policy"] for row in rows):
        cells = []
        for trace in traces:
            ratios = [r["ratio_to_ondemand"] for r in rows if r["trace"] == trace and r["policy"] == policy]
            cells.append(" / ".join(f"{ratio:.3f}" for ratio in ratios))
        table.add_row(policy, *cells)
    return table


def per_million(world: World, start: int, ticks: int, measured: dict[str, Any]) -> list[dict[str, Any]]:
    """USD per million requests: Lambda, SageMaker Serverless and one busy spot replica of the cheapest pool."""
    pricing = load_catalog().aws_lambda
    seconds = measured["p50_ms"] / 1000
    charge = lambda_charge(pricing, LAMBDA_MEMORY_MB, seconds * 1e6, 1_000_000)
    prices = world.prices[:, start : start + ticks]
    cheapest = float(prices.mean(axis=1).min())
    replica_seconds = 1e6 / measured["requests_per_second"]
    return [
        {"target": f"Lambda ({LAMBDA_MEMORY_MB} MB)", "usd_per_million": charge.compute_usd + charge.request_fee_usd},
        {
            "target": "SageMaker Serverless",
            "usd_per_million": sagemaker_serverless_usd(pricing, LAMBDA_MEMORY_MB, seconds * 1e6),
        },
        {
            "target": f"spot replica ({world.instance_type}, window mean)",
            "usd_per_million": cheapest * replica_seconds / SECONDS_PER_HOUR,
        },
        {
            "target": f"on-demand replica ({world.instance_type})",
            "usd_per_million": world.ondemand_usd_per_hour * replica_seconds / SECONDS_PER_HOUR,
        },
    ]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ticks", type=int, default=30, help="trace ticks in the window")
    parser.add_argument("--time-scale", type=float, default=120.0, help="trace seconds per wall second")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--replay-only", action="store_true", help="only the replay over the traces (seconds)")
    args = parser.parse_args(argv)
    worlds = shipped_worlds(load_catalog())
    console = Console(width=120)
    replays = replayed(worlds)
    console.print(replay_table(replays))
    result: dict[str, Any] = {"replay": replays}
    if args.replay_only:
        write(result)
        return result
    [world] = [w for w in worlds if w.name == "aws-v100-9-zones"]
    start = busiest_window(world, args.ticks)
    with tempfile.TemporaryDirectory(prefix="sskai-bench-") as scratch:
        os.environ["SSKAI_HOME"] = str(Path(scratch) / "home")
        os.environ["SSKAI_ENDPOINT_REPLICAS"] = "1"
        stores = open_stores()
        model_zip, _ = build_example("mlp", Path(scratch))
        model = upload_model(stores, "mlp", model_zip)
        bundle = materialize_bundle(stores.artifacts, model.artifact_key, Path(scratch) / "bundle")
        runs = [one_run(stores, model, bundle, world, start, args.ticks, floor, args) for floor in (0, 1)]
    costs = per_million(world, start, args.ticks, runs[0])
    window = (
        f"{world.name}, ticks {start}-{start + args.ticks} ({args.ticks * world.tick_seconds / 3600:.1f} h of trace)"
    )
    table = Table(title=f"Two spot replicas through {window}, x{args.time_scale:g}, {args.clients} clients")
    for column in (
        "floor",
        "requests",
        "failed",
        "p50 ms",
        "p99 ms",
        "p99 in preemptions",
        "preemptions",
        "USD",
        "x on-demand",
    ):
        table.add_column(column, justify="right")
    for run in runs:
        during = run["p99_during_preemptions_ms"]
        table.add_row(
            str(run["floor"]),
            str(run["requests"]),
            str(run["failed"]),
            f"{run['p50_ms']:.1f}",
            f"{run['p99_ms']:.1f}",
            "-" if during is None else f"{during:.1f}",
            str(run["preemptions"]),
            f"{run['usd']:.4f}",
            f"{run['ratio_to_ondemand']:.3f}",
        )
    console.print(table)
    money = Table(title="USD per million requests (this machine's latency and throughput, list prices)")
    money.add_column("target")
    money.add_column("USD / million", justify="right")
    for row in costs:
        money.add_row(row["target"], f"{row['usd_per_million']:.2f}")
    console.print(money)
    result |= {
        "window": {"world": world.name, "start_tick": start, "ticks": args.ticks, "tick_seconds": world.tick_seconds},
        "time_scale": args.time_scale,
        "clients": args.clients,
        "runs": runs,
        "usd_per_million": costs,
    }
    write(result)
    return result


def write(result: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
