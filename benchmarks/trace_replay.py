"""Trace replay: each policy runs jobs through real spot traces, tick by tick, against the omniscient optimum.

For every world (the 9-zone AWS V100 probe trace with its real prices, and the p3 and g4dn cluster
logs as counts), jobs of several lengths, deadlines and gang sizes start at many times spread over
the trace. Each policy (``sskai.replay.policies``) decides every tick from the present and the past
only; the optimum (``sskai.replay.optimum``) knows the whole trace. Per world and overall: mean
realized cost, median completion time, deadline met (%), preemptions per job, and the ratios of total
cost to ``cheapest_fit``, ``on_demand`` and the optimum. sskai's risk priors come from the risk model
calibrated on the shipped traces; its per-pool estimates come only from the trace before each decision.

Run: .venv/bin/python -m benchmarks.trace_replay [--starts 24] [--trace PATH --spot-price USD --on-demand-price USD]
(prints a table; writes benchmarks/results/trace_replay.json)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from sskai.catalog import load_catalog
from sskai.replay import ReplayJob, ReplayPolicy, World, optimal_cost, replay
from sskai.replay.sources import DEFAULT_REGION, describe, shipped_worlds, world_from_path

RESULTS = Path(__file__).parent / "results" / "trace_replay.json"
POLICIES = ("on_demand", "cheapest_fit", "baseline", "uniform_progress", "sskai")
DEADLINE_FACTORS = (1.2, 1.5, 2.0)
# Long traces (days): multi-hour jobs; short cluster logs (hours): shorter jobs, gangs where counts allow.
LONG_JOB_HOURS = (4.0, 12.0, 24.0)
SHORT_JOB_HOURS = (1.0, 3.0)
GANGS = (1, 4, 8)  # up to a quarter of the cluster logs' peak count
LONG_TRACE_DAYS = 3.0
# sskai reads a week of history where the trace has it; jobs start after the first week (on a short
# log, after its first quarter). Late policies run past the deadline: leave them room before the end.
HISTORY_DAYS = 7.0
SHORT_HISTORY_SHARE = 0.25
ROOM_AFTER_DEADLINE = 1.25


@dataclass(frozen=True)
class Scenario:
    world: World
    job: ReplayJob
    starts: tuple[int, ...]

    @property
    def label(self) -> str:
        j = self.job
        return f"{j.work_hours:g} h, deadline x{j.deadline_hours / j.work_hours:g}, gang {j.gang}"


def scenarios(world: World, starts: int, data_gb: float, restart_seconds: float) -> list[Scenario]:
    days = world.ticks * world.tick_seconds / 86400
    lengths = LONG_JOB_HOURS if days >= LONG_TRACE_DAYS else SHORT_JOB_HOURS
    capacity = int(world.capacity.max())
    gangs = tuple(g for g in GANGS if g <= capacity // 4 or g == 1)
    found = []
    for hours in lengths:
        for factor in DEADLINE_FACTORS:
            for gang in gangs:
                job = ReplayJob(hours, hours * factor, gang, restart_seconds, data_gb)
                span = int(ROOM_AFTER_DEADLINE * job.deadline_hours * 3600 / world.tick_seconds)
                long_trace = days > 2 * HISTORY_DAYS
                first = (
                    int(HISTORY_DAYS * 86400 / world.tick_seconds)
                    if long_trace
                    else int(world.ticks * SHORT_HISTORY_SHARE)
                )
                last = world.ticks - span
                if last <= first:
                    continue
                ticks = tuple(int(t) for t in np.linspace(first, last, starts))
                found.append(Scenario(world, job, ticks))
    return found


def summarize(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per policy: means, median time, deadline met, and total-cost ratios."""
    total = {p: sum(r["policies"][p]["cost_usd"] for r in rows) for p in POLICIES}
    optimum = sum(r["optimum_usd"] for r in rows)
    summary = {}
    for policy in POLICIES:
        outcomes = [r["policies"][policy] for r in rows]
        summary[policy] = {
            "jobs": len(outcomes),
            "mean_cost_usd": total[policy] / len(outcomes),
            "median_hours": statistics.median(o["hours"] for o in outcomes),
            "deadline_met_pct": 100.0 * sum(o["deadline_met"] for o in outcomes) / len(outcomes),
            "preemptions_per_job": sum(o["preemptions"] for o in outcomes) / len(outcomes),
            "x_cheapest_fit": total[policy] / total["cheapest_fit"],
            "x_on_demand": total[policy] / total["on_demand"],
            "x_optimum": total[policy] / optimum,
            "median_gap_to_optimum_pct": 100.0
            * statistics.median(o["cost_usd"] / r["optimum_usd"] - 1.0 for o, r in zip(outcomes, rows, strict=True)),
        }
    summary["optimum"] = {"jobs": len(rows), "mean_cost_usd": optimum / len(rows), "deadline_met_pct": 100.0}
    return summary


def run_world(world: World, starts: int, data_gb: float, restart_seconds: float, progress: Progress) -> list[dict]:
    found = scenarios(world, starts, data_gb, restart_seconds)
    task = progress.add_task(world.name, total=sum(len(s.starts) for s in found))
    rows = []
    for scenario in found:
        for start in scenario.starts:
            outcomes = {
                name: replay(ReplayPolicy.registry.get(name)(), world, scenario.job, start).as_dict()
                for name in POLICIES
            }
            rows.append(
                {
                    "world": world.name,
                    "scenario": scenario.label,
                    "start_tick": start,
                    "optimum_usd": optimal_cost(world, scenario.job, start),
                    "policies": outcomes,
                }
            )
            progress.advance(task)
    return rows


def table(title: str, summary: dict[str, dict[str, float]]) -> Table:
    out = Table(title=title)
    for column in (
        "policy",
        "mean cost",
        "median h",
        "deadline met",
        "preempt/job",
        "x cheapest_fit",
        "x on_demand",
        "x optimum",
        "median gap",
    ):
        out.add_column(column, justify="left" if column == "policy" else "right")
    for policy in POLICIES:
        s = summary[policy]
        out.add_row(
            policy,
            f"${s['mean_cost_usd']:,.2f}",
            f"{s['median_hours']:.1f}",
            f"{s['deadline_met_pct']:.1f}%",
            f"{s['preemptions_per_job']:.2f}",
            f"{s['x_cheapest_fit']:.3f}",
            f"{s['x_on_demand']:.3f}",
            f"{s['x_optimum']:.3f}",
            f"{s['median_gap_to_optimum_pct']:.1f}%",
        )
    out.add_row(
        "optimum", f"${summary['optimum']['mean_cost_usd']:,.2f}", "-", "100.0%", "-", "-", "-", "1.000", "0.0%"
    )
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trace", type=Path, help="a folder of zone CSVs, a count JSON, an event CSV or a GCP log")
    parser.add_argument("--spot-price", type=float, help="USD per instance-hour where the trace has no prices")
    parser.add_argument("--on-demand-price", type=float, help="USD per instance-hour on demand (with --trace)")
    parser.add_argument("--instance-type", default="", help="the traced instance type, for sskai's risk prior")
    parser.add_argument("--home-region", default=DEFAULT_REGION, help="where the data lives and on demand runs")
    parser.add_argument("--starts", type=int, default=24, help="job start times per scenario")
    parser.add_argument("--data-gb", type=float, default=50.0, help="dataset + checkpoint pulled by each launch")
    parser.add_argument("--restart-seconds", type=float, default=360.0, help="overhead of each (re)launch")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.trace:
        if args.on_demand_price is None:
            parser.error("--trace needs --on-demand-price (and --spot-price where the trace has no prices)")
        worlds = [
            world_from_path(args.trace, args.spot_price, args.on_demand_price, args.home_region, args.instance_type)
        ]
    else:
        worlds = shipped_worlds(load_catalog(), args.home_region)
    console = Console(width=150)
    began = time.perf_counter()
    rows: list[dict] = []
    with Progress(console=console, transient=True) as progress:
        for world in worlds:
            rows += run_world(world, args.starts, args.data_gb, args.restart_seconds, progress)
    results: dict[str, Any] = {
        "worlds": [describe(w) for w in worlds],
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "by_world": {},
        "by_scenario": {},
    }
    for world in worlds:
        mine = [r for r in rows if r["world"] == world.name]
        if not mine:
            continue
        results["by_world"][world.name] = summarize(mine)
        console.print(table(f"{world.name}: {len(mine)} jobs", results["by_world"][world.name]))
        for label in sorted({r["scenario"] for r in mine}):
            results["by_scenario"][f"{world.name} | {label}"] = summarize([r for r in mine if r["scenario"] == label])
    results["overall"] = summarize(rows)
    console.print(table(f"All worlds: {len(rows)} jobs", results["overall"]))
    overall = results["overall"]
    results["sskai_beats_cheapest_fit"] = (
        overall["sskai"]["x_cheapest_fit"] < 1.0
        and overall["sskai"]["deadline_met_pct"] >= overall["cheapest_fit"]["deadline_met_pct"]
    )
    results["seconds"] = time.perf_counter() - began
    results["rows"] = rows
    console.print(
        f"sskai vs cheapest_fit: cost x{overall['sskai']['x_cheapest_fit']:.3f}, deadline met "
        f"{overall['sskai']['deadline_met_pct']:.1f}% vs {overall['cheapest_fit']['deadline_met_pct']:.1f}%; "
        f"gap to optimum: sskai x{overall['sskai']['x_optimum']:.3f}, uniform_progress "
        f"x{overall['uniform_progress']['x_optimum']:.3f} ({results['seconds']:.0f} s)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    console.print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
