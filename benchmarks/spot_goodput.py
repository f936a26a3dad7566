"""Goodput under real spot preemptions: one training replayed on a real trace segment under three checkpoint policies.

Policies (the same training, the same trace segment, the same cluster code):
- ``sskai-seed``: SSKAI's policy, a checkpoint per epoch and no notice handling;
- ``interval``: a checkpoint every N steps, no notice handling;
- ``sskai``: asynchronous checkpoints every N steps and a just-in-time one on each notice.
Each is compared with its own run of the same training without preemptions (a checkpoint costs
time too): work lost (worker-seconds trained again), time short of nodes, wall time and cost,
the last two also as ratios to that undisturbed run.

The trace is real (``sskai/traces/data``; by default AWS V100 spot availability in us-east-1f,
sampled every few minutes over 45 days: a drop to zero reclaims the pool's nodes, a rise brings
capacity back) and the policies never see it: the segment is the busiest window (most reclaims)
of the trace for the run's length, time-scaled, with EC2's 120 s notice and a 60 s replacement
delay scaled the same way. ``--trace`` picks another shipped trace.

Run: .venv/bin/python -m benchmarks.spot_goodput [--time-scale 30]
(prints a table; writes benchmarks/results/spot_goodput.json)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.spot_harness import RunResult, run_once
from sskai.spot.schedule import SpotEventKind, TraceSchedule
from sskai.spot.simulation import TRACES, SpotSimulation
from sskai.training.config import TrainingConfig

RESULTS = Path(__file__).parent / "results" / "spot_goodput.json"
DEFAULT_TRACE = "v100-us-east-1f"
SLOTS = ("worker-0", "worker-1")


def busiest_segment(trace_name: str, time_scale: float, run_seconds: float) -> tuple[float, int]:
    """The trace start (seconds) whose next ``run_seconds`` (simulated) hold the most reclaims of the slots."""
    trace = TRACES[trace_name]()
    best = (0.0, -1)
    step = 600.0  # try a start every 10 trace minutes
    start = 0.0
    while start < trace.duration_seconds - run_seconds * time_scale:
        events = TraceSchedule(trace, start, time_scale).events(SLOTS, run_seconds)
        reclaims = sum(1 for e in events if e.kind is SpotEventKind.PREEMPT)
        if reclaims > best[1]:
            best = (start, reclaims)
        start += step
    return best


def row(name: str, result: RunResult, base: RunResult) -> dict[str, object]:
    s, b = result.summary, base.summary
    return {
        "policy": name,
        "status": result.status,
        "preemptions": s.preemptions,
        "with_notice": s.announced,
        "rework_worker_seconds": round(s.rework_worker_seconds, 2),
        "waiting_seconds": round(s.waiting_seconds, 2),
        "wall_seconds": round(result.wall_seconds, 1),
        "undisturbed_wall_seconds": round(base.wall_seconds, 1),
        "wall_ratio": round(result.wall_seconds / base.wall_seconds, 3),
        "paid_usd": s.paid_usd,
        "undisturbed_paid_usd": b.paid_usd,
        "cost_ratio": round(s.paid_usd / b.paid_usd, 3) if b.paid_usd else None,
        "ondemand_usd": s.ondemand_usd,
        "final_val_loss": result.final_val_loss,
        "global_step": result.global_step,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-scale", type=float, default=30.0, help="trace seconds per benchmark second")
    parser.add_argument("--every", type=int, default=40, help="N: checkpoint every N steps")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--trace", choices=sorted(TRACES), default=DEFAULT_TRACE)
    args = parser.parse_args()
    base_config = TrainingConfig(
        epochs=args.epochs, batch_size=4, learning_rate=0.003, checkpoint_every_steps=args.every, num_workers=2
    )
    policies = {
        "sskai-seed (per epoch, no notice)": base_config.model_copy(
            update={"checkpoint_every_steps": 10**9, "checkpoint_on_notice": False}
        ),
        f"interval (every {args.every} steps, no notice)": base_config.model_copy(
            update={"checkpoint_on_notice": False}
        ),
        f"sskai (async every {args.every} + on notice)": base_config,
    }
    console = Console()
    undisturbed = {}
    for name, config in policies.items():  # each policy's own run without preemptions is its reference
        console.print(f"without preemptions: {name}")
        undisturbed[name] = run_once("mlp", config, None)
    longest = max(result.wall_seconds for result in undisturbed.values())
    start, reclaims = busiest_segment(args.trace, args.time_scale, longest * 1.5)
    console.print(f"trace {args.trace} from {start:.0f} s, x{args.time_scale:g}: {reclaims} reclaims in the window")
    simulation = SpotSimulation(source="trace", trace=args.trace, trace_start_seconds=start, time_scale=args.time_scale)
    rows = []
    for name, config in policies.items():
        console.print(f"on the trace: {name}")
        rows.append(row(name, run_once("mlp", config, simulation), undisturbed[name]))

    table = Table(title=f"Goodput on {args.trace} from {start:.0f} s, time x{args.time_scale:g}")
    columns = ["policy", "status", "preemptions", "with_notice", "rework_worker_seconds", "waiting_seconds"]
    columns += ["wall_seconds", "wall_ratio", "paid_usd", "cost_ratio", "final_val_loss"]
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for r in rows:
        table.add_row(
            *(
                f"{r[c]:.6f}" if c == "paid_usd" else f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c])
                for c in columns
            )
        )
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    segment = {"trace": args.trace, "start_seconds": start, "time_scale": args.time_scale, "reclaims": reclaims}
    RESULTS.write_text(json.dumps({"segment": segment, "config": base_config.model_dump(), "rows": rows}, indent=2))
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
