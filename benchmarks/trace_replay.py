"""Trace replay: every registered spot policy runs jobs through real spot traces, against the omniscient optimum.

The worlds are every shipped trace (the 9-zone AWS V100 probe trace with its real prices, the p3 and
g4dn cluster logs, GCP's V100 and A100 preemptible groups), or the one ``--trace`` gives. Jobs of
several lengths, deadlines and gang sizes start at many times spread over each trace. Each policy
(:mod:`sskai.spot.policies`) decides every tick from the present and the past only, through the
same contract the live controller drives; the optimum (``sskai.replay.optimum``) knows the whole
trace.

Fair by construction: overhead and the work lost since the last checkpoint are charged in seconds;
a job that misses its deadline is finished on demand and pays for it (reported apart, so every
ratio compares policies that all finish); the risk priors are out of sample (on the V100 trace, the
model is calibrated on its first ``CALIBRATION_DAYS`` and jobs start after them; the other traces
are a different data set from the one the model is calibrated on). sskai's constants were set on the
V100 calibration days alone.

Run: .venv/bin/python -m benchmarks.trace_replay [--starts 24] [--trace PATH --spot-price USD --on-demand-price USD]
(prints a table per trace and overall; writes benchmarks/results/trace_replay.json)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from sskai.catalog import load_catalog
from sskai.replay import ReplayJob, World, optimal_cost, replay
from sskai.replay.sources import DEFAULT_REGION, describe, shipped_worlds, world_from_path
from sskai.risk.model import RiskModel
from sskai.risk.shipped import shipped_risk_model
from sskai.spot.policies import policy_named
from sskai.spot.policy import SpotPolicy

RESULTS = Path(__file__).parent / "results" / "trace_replay.json"
REFERENCE = "cheapest_fit_safety_net"  # SkyPilot as its users configure it: spot, with an on-demand fallback
DEADLINE_FACTORS = (1.2, 1.5, 2.0)
# Long traces (days): multi-hour jobs; short logs (hours): shorter jobs, gangs where counts allow.
LONG_JOB_HOURS = (4.0, 12.0, 24.0)
SHORT_JOB_HOURS = (1.0, 3.0)
GANGS = (1, 4, 8)  # up to a quarter of a log's peak count
LONG_TRACE_DAYS = 3.0
# The V100 trace: the risk model is calibrated on its first days; jobs start after them and read a week.
CALIBRATION_DAYS = 11.0
HISTORY_DAYS = 7.0
SHORT_HISTORY_SHARE = 0.25  # on a short log, jobs start after its first quarter
ROOM_AFTER_DEADLINE = 1.25


def policies() -> tuple[str, ...]:
    import sskai.spot.policies  # noqa: F401  (the shipped policies register on import)

    return tuple(SpotPolicy.registry.names())


@dataclass(frozen=True)
class Scenario:
    world: World
    job: ReplayJob
    starts: tuple[int, ...]
    risk: RiskModel

    @property
    def label(self) -> str:
        j = self.job
        return f"{j.work_hours:g} h, deadline x{j.deadline_hours / j.work_hours:g}, gang {j.gang}"


def scenarios(world: World, starts: int, data_gb: float, restart_seconds: float, catalog) -> list[Scenario]:
    days = world.ticks * world.tick_seconds / 86400
    lengths = LONG_JOB_HOURS if days >= LONG_TRACE_DAYS else SHORT_JOB_HOURS
    capacity = int(world.capacity.max())
    gangs = tuple(g for g in GANGS if g <= capacity // 4 or g == 1)
    long_trace = days > 2 * HISTORY_DAYS
    if long_trace:
        calibrated = CALIBRATION_DAYS * 86400
        risk, first = shipped_risk_model(catalog, calibrated), int(calibrated / world.tick_seconds)
    else:
        risk, first = shipped_risk_model(catalog), int(world.ticks * SHORT_HISTORY_SHARE)
    found = []
    for hours in lengths:
        for factor in DEADLINE_FACTORS:
            for gang in gangs:
                job = ReplayJob(hours, hours * factor, gang, restart_seconds, data_gb)
                span = int(ROOM_AFTER_DEADLINE * job.deadline_hours * 3600 / world.tick_seconds)
                last = world.ticks - span
                if last <= first:
                    continue
                ticks = tuple(int(t) for t in np.linspace(first, last, starts))
                found.append(Scenario(world, job, ticks, risk))
    return found


def summarize(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Per policy: means, median time, deadline met, and total-cost ratios (every job finished)."""
    total = {p: sum(r["policies"][p]["cost_usd"] for r in rows) for p in names}
    optimum = sum(r["optimum_usd"] for r in rows)
    summary: dict[str, dict[str, Any]] = {}
    for policy in names:
        outcomes = [r["policies"][policy] for r in rows]
        jobs = len(outcomes)
        decisions: Counter[str] = Counter()
        for outcome in outcomes:
            decisions.update(outcome["decisions"])
        summary[policy] = {
            "jobs": jobs,
            "mean_cost_usd": total[policy] / jobs,
            "median_hours": statistics.median(o["hours"] for o in outcomes),
            "deadline_met_pct": 100.0 * sum(o["deadline_met"] for o in outcomes) / jobs,
            "after_deadline_usd_per_job": sum(o["after_deadline_usd"] for o in outcomes) / jobs,
            "preemptions_per_job": sum(o["preemptions"] for o in outcomes) / jobs,
            "moves_per_job": sum(o["moves"] for o in outcomes) / jobs,
            "ondemand_hours_per_job": sum(o["ondemand_hours"] for o in outcomes) / jobs,
            "lost_work_hours_per_job": sum(o["lost_work_hours"] for o in outcomes) / jobs,
            "x_cheapest_fit": total[policy] / total["cheapest_fit"],
            "x_reference": total[policy] / total[REFERENCE],
            "x_on_demand": total[policy] / total["on_demand"],
            "x_optimum": total[policy] / optimum,
            "decisions": dict(decisions),
        }
    summary["optimum"] = {"jobs": len(rows), "mean_cost_usd": optimum / len(rows), "deadline_met_pct": 100.0}
    return summary


def run_world(
    world: World, starts: int, data_gb: float, restart_seconds: float, names: tuple[str, ...], progress: Progress
) -> list[dict]:
    found = scenarios(world, starts, data_gb, restart_seconds, load_catalog())
    task = progress.add_task(world.name, total=sum(len(s.starts) for s in found))
    rows = []
    for scenario in found:
        for start in scenario.starts:
            outcomes = {
                name: replay(policy_named(name), world, scenario.job, start, scenario.risk).as_dict() for name in names
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


def table(title: str, summary: dict[str, dict[str, Any]], names: tuple[str, ...]) -> Table:
    out = Table(title=title)
    columns = (
        "policy",
        "mean cost",
        "deadline met",
        "after deadline",
        "preempt/job",
        "moves/job",
        "OD h/job",
        "lost h/job",
        "x cheapest_fit",
        "x cf+safety net",
        "x optimum",
    )
    for column in columns:
        out.add_column(column, justify="left" if column == "policy" else "right")
    for policy in names:
        s = summary[policy]
        out.add_row(
            policy,
            f"${s['mean_cost_usd']:,.2f}",
            f"{s['deadline_met_pct']:.1f}%",
            f"${s['after_deadline_usd_per_job']:,.2f}",
            f"{s['preemptions_per_job']:.2f}",
            f"{s['moves_per_job']:.2f}",
            f"{s['ondemand_hours_per_job']:.2f}",
            f"{s['lost_work_hours_per_job']:.2f}",
            f"{s['x_cheapest_fit']:.3f}",
            f"{s['x_reference']:.3f}",
            f"{s['x_optimum']:.3f}",
        )
    out.add_row("optimum", f"${summary['optimum']['mean_cost_usd']:,.2f}", "100.0%", *["-"] * 7, "1.000")
    return out


def per_trace_table(by_world: dict[str, dict[str, dict[str, Any]]]) -> Table:
    """Each trace on its own line: sskai against the references, and every policy's deadlines."""
    out = Table(title="sskai per trace (ratios of total cost; every job finished)")
    for column in ("trace", "jobs", "sskai x cf+safety net", "sskai x cheapest_fit", "sskai x optimum",
                   "UP x optimum", "deadline met: sskai / cf / cf+sn / UP"):  # fmt: skip
        out.add_column(column, justify="left" if column == "trace" else "right")
    for world, summary in by_world.items():
        s, up = summary["sskai"], summary["uniform_progress"]
        met = " / ".join(
            f"{summary[p]['deadline_met_pct']:.1f}" for p in ("sskai", "cheapest_fit", REFERENCE, "uniform_progress")
        )
        out.add_row(
            world,
            str(s["jobs"]),
            f"{s['x_reference']:.3f}",
            f"{s['x_cheapest_fit']:.3f}",
            f"{s['x_optimum']:.3f}",
            f"{up['x_optimum']:.3f}",
            met,
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
    names = policies()
    console = Console(width=160)
    began = time.perf_counter()
    rows: list[dict] = []
    with Progress(console=console, transient=True) as progress:
        for world in worlds:
            rows += run_world(world, args.starts, args.data_gb, args.restart_seconds, names, progress)
    results: dict[str, Any] = {
        "worlds": [describe(w) for w in worlds],
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "policies": list(names),
        "by_world": {},
        "by_scenario": {},
    }
    for world in worlds:
        mine = [r for r in rows if r["world"] == world.name]
        if not mine:
            continue
        results["by_world"][world.name] = summarize(mine, names)
        console.print(table(f"{world.name}: {len(mine)} jobs", results["by_world"][world.name], names))
        for label in sorted({r["scenario"] for r in mine}):
            chosen = [r for r in mine if r["scenario"] == label]
            results["by_scenario"][f"{world.name} | {label}"] = summarize(chosen, names)
    results["overall"] = summarize(rows, names)
    console.print(table(f"All traces: {len(rows)} jobs", results["overall"], names))
    console.print(per_trace_table(results["by_world"]))
    results["seconds"] = time.perf_counter() - began
    results["rows"] = rows
    overall = results["overall"]["sskai"]
    console.print(
        f"sskai: x{overall['x_reference']:.3f} cheapest-fit with its safety net, x{overall['x_optimum']:.3f} the "
        f"optimum, {overall['deadline_met_pct']:.1f}% of deadlines ({results['seconds']:.0f} s)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    console.print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
