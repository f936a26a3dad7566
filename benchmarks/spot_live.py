"""Live spot policies: real local trainings under a shipped trace window and a deadline, beside the replay.

One training (the ``mlp`` example, two workers on separate ``ray start`` nodes) runs under
``baseline``, ``cheapest_fit`` and ``sskai``. The local cloud plays the nine-zone AWS V100 trace
(nine candidate pools at their zones' real prices) on the wall clock from the same trace second for
every policy, once the training takes its first step; the spot controller steps the policy and
moves the workers. Each live run is reported — cost, deadline met, launches, on-demand hours, work
lost, hours — next to what the replay engine predicts for the same window, job and priors (the
same ``CloudScript`` world, the same ``ReplayJob`` the live controller was given). The agreement
between the two is the figure that says the replay is honest about what the platform does.

The window starts after the days the shipped risk model is calibrated on (out of sample), at the
first tick where the cheapest pool with capacity (where every policy starts) loses the job within
the job's length while another pool stays up, so the policies have something to decide. Times are
trace times: the live node-seconds and hours are scaled by ``--time-scale``; the job's work is the
undisturbed run's training time, scaled.

Run: .venv/bin/python -m benchmarks.spot_live [--time-scale 20] [--deadline-factor 2.5]
(prints a table; writes benchmarks/results/spot_live.json)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.spot_harness import RunResult, plan_for, run_once
from benchmarks.trace_replay import CALIBRATION_DAYS
from sskai.catalog import load_catalog
from sskai.kinds import PricingKind
from sskai.localcloud.simulation import SpotSimulation, losses_of_a_held_job
from sskai.replay import replay
from sskai.replay.engine import Outcome
from sskai.spot.policies import policy_named
from sskai.store.metadata import Training
from sskai.store.stores import Stores
from sskai.training.config import TrainingConfig
from sskai.training.spot_run import replay_job
from sskai.units import SECONDS_PER_HOUR

RESULTS = Path(__file__).parent / "results" / "spot_live.json"
TRACE = "aws-v100-9-zones"
POLICIES = ("baseline", "cheapest_fit", "sskai")
WORKERS = 2


def window(simulation: SpotSimulation, work_hours: float) -> float:
    """The first out-of-sample trace second where the cheapest pool with capacity (where every policy starts)
    loses the job within ``work_hours``, while another pool stays up: the policies have something to decide."""
    world = simulation.script((), WORKERS, load_catalog(), WORKERS).world
    up = world.capacity >= WORKERS
    span = max(2, int(np.ceil(work_hours * SECONDS_PER_HOUR / world.tick_seconds)))
    first = int(CALIBRATION_DAYS * 86_400 / world.tick_seconds)
    for tick in range(first, world.ticks - 4 * span):
        if not up[:, tick].any():
            continue
        prices = np.where(up[:, tick], world.prices[:, tick], np.inf)
        pool = int(np.argmin(prices))
        lost = losses_of_a_held_job(world, WORKERS, pool)[tick + 2 : tick + span]
        others = np.delete(up[:, tick : tick + span], pool, axis=0).all(axis=1).any()
        if up[pool, tick + 1] and lost.any() and others:
            return tick * world.tick_seconds
    raise SystemExit(f"no window in {TRACE} where the cheapest pool is lost within {work_hours:.2f} h")


def live_row(result: RunResult, scale: float, deadline_hours: float) -> dict[str, Any]:
    trained = result.trained_seconds
    hours = None if trained is None else trained * scale / SECONDS_PER_HOUR
    return {
        "status": result.status,
        "cost_usd": round(result.worker_usd(scale), 4),
        "hours": None if hours is None else round(hours, 3),
        "deadline_met": hours is not None and hours <= deadline_hours,
        "launches": result.summary.launches,
        "ondemand_hours": round(result.worker_hours(PricingKind.ON_DEMAND, scale, WORKERS), 3),
        "spot_hours": round(result.worker_hours(PricingKind.SPOT, scale, WORKERS), 3),
        "lost_work_hours": round(result.summary.rework_worker_seconds * scale / SECONDS_PER_HOUR / WORKERS, 3),
        "preemptions": result.summary.preemptions,
        "decisions": [(d.decision, d.where, d.reason) for d in result.summary.decisions],
    }


def replay_row(outcome: Outcome) -> dict[str, Any]:
    return {
        "cost_usd": round(outcome.cost_usd, 4),
        "hours": round(outcome.hours, 3),
        "deadline_met": outcome.deadline_met,
        "launches": outcome.launches,
        "ondemand_hours": round(outcome.ondemand_hours, 3),
        "spot_hours": round(outcome.spot_hours, 3),
        "lost_work_hours": round(outcome.lost_work_hours, 3),
        "preemptions": outcome.preemptions,
        "decisions": [(r.kind, r.reason) for r in outcome.timeline],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-scale", type=float, default=20.0, help="trace seconds per wall second")
    parser.add_argument("--deadline-factor", type=float, default=2.5, help="deadline: this x the on-demand time")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--policies", nargs="+", default=list(POLICIES))
    args = parser.parse_args(argv)
    console = Console()
    catalog = load_catalog()
    simulation = SpotSimulation(source="trace", trace=TRACE, time_scale=args.time_scale)
    candidates = simulation.script((), WORKERS, catalog, WORKERS).pool_candidates()
    config = TrainingConfig(
        epochs=args.epochs, batch_size=4, learning_rate=0.003, checkpoint_every_steps=20, num_workers=WORKERS
    )
    console.print("the undisturbed run, for the job's length")
    undisturbed = run_once("mlp", config, None, plan_for(candidates, 1.0))
    work_hours = (undisturbed.trained_seconds or undisturbed.wall_seconds) * args.time_scale / SECONDS_PER_HOUR
    deadline = round(args.deadline_factor * work_hours, 3)
    start = window(simulation, work_hours)
    simulation = simulation.model_copy(update={"trace_start_seconds": start})
    console.print(f"job {work_hours:.2f} trace h, deadline {deadline:.2f} h; {TRACE} from {start:.0f} s")
    plan = plan_for(candidates, work_hours)
    rows = []
    for name in args.policies:
        predicted: dict[str, Outcome] = {}

        def predict(stores: Stores, record: Training, name: str = name, into: dict = predicted) -> None:
            """What the replay says for this very training: the live run's world, start, priors and job."""
            script = simulation.script(candidates, WORKERS, catalog, WORKERS)
            job = replay_job(stores, record, simulation, script, 0.0)
            into["outcome"] = replay(policy_named(name), script.world, job, script.start_tick, script.priors, True)

        console.print(f"live: {name}")
        live = run_once(
            "mlp",
            config.model_copy(update={"spot_policy": name, "deadline_hours": deadline}),
            simulation,
            plan,
            predict,
        )
        rows.append(
            {
                "policy": name,
                "live": live_row(live, args.time_scale, deadline),
                "replay": replay_row(predicted["outcome"]),
            }
        )

    table = Table(
        title=f"Live vs replay on {TRACE} from {start:.0f} s (x{args.time_scale:g}), deadline {deadline:.2f} h"
    )
    for column in ("policy", "", "cost $", "hours", "deadline", "launches", "on-demand h", "lost work h"):
        table.add_column(column)
    for r in rows:
        for side in ("live", "replay"):
            v = r[side]
            table.add_row(
                r["policy"] if side == "live" else "",
                side,
                f"{v['cost_usd']:.3f}",
                "-" if v["hours"] is None else f"{v['hours']:.2f}",
                "met" if v["deadline_met"] else "MISSED",
                str(v["launches"]),
                f"{v['ondemand_hours']:.2f}",
                f"{v['lost_work_hours']:.2f}",
            )
    console.print(table)
    agreement = {
        r["policy"]: {
            "cost_live_over_replay": round(r["live"]["cost_usd"] / r["replay"]["cost_usd"], 3)
            if r["replay"]["cost_usd"]
            else None,
            "same_deadline_outcome": r["live"]["deadline_met"] == r["replay"]["deadline_met"],
            "first_decision_same": bool(r["live"]["decisions"])
            and bool(r["replay"]["decisions"])
            and r["live"]["decisions"][0][0] == r["replay"]["decisions"][0][0],
        }
        for r in rows
    }
    for name, agree in agreement.items():
        console.print(
            f"{name}: live/replay cost x{agree['cost_live_over_replay']}, same deadline outcome "
            f"{agree['same_deadline_outcome']}, same first decision {agree['first_decision_same']}"
        )
    result = {
        "trace": TRACE,
        "start_seconds": start,
        "time_scale": args.time_scale,
        "work_hours": work_hours,
        "deadline_hours": deadline,
        "rows": rows,
        "agreement": agreement,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    console.print(f"wrote {RESULTS}")
    return result


if __name__ == "__main__":
    main()
