"""Goodput under real spot preemptions: one training on a real trace window under three checkpoint policies.

Policies (the same training, the same trace window, the same cluster code; the spot policy is
``baseline``, which stays in the pool and waits for it, so what differs is the checkpointing alone):
- ``sskai-seed``: SSKAI's policy, a checkpoint per epoch and no notice handling;
- ``interval``: a checkpoint every N steps, no notice handling;
- ``sskai``: asynchronous checkpoints every N steps and a just-in-time one on each notice.

Fair by construction: every policy meets the same reclaims, because the trace plays on the wall
clock from the same trace second once the training takes its first step, whatever each policy's
speed (a slower policy runs into more of the window, as it would on the cloud); the window is the
trace's first to hold ``--losses`` losses within the undisturbed run's length, so each policy meets
them all; and every ratio is against one undisturbed run (the ``sskai`` configuration on the same
pool at the same price, without losses, run after a first one that sized the window, so both it and
the policies run on a warm machine).

The trace is real (``sskai/traces/data``; by default AWS V100 spot availability in us-east-1f,
sampled every 195 s over 45 days: a drop reclaims the pool's nodes, a rise brings capacity back)
and the policies never see it. Time-scaled, with EC2's 120 s notice and a 60 s provisioning delay
scaled the same way. ``--trace`` picks another shipped trace.

Run: .venv/bin/python -m benchmarks.spot_goodput [--time-scale 30]
(prints a table; writes benchmarks/results/spot_goodput.json)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.spot_harness import RunResult, plan_for, run_once
from sskai.catalog import load_catalog
from sskai.localcloud.simulation import TRACES, SpotSimulation, window_losses
from sskai.training.config import TrainingConfig

RESULTS = Path(__file__).parent / "results" / "spot_goodput.json"
DEFAULT_TRACE = "v100-us-east-1f"
WORKERS = 2


def window_with(trace: str, time_scale: float, run_wall_seconds: float, losses: int) -> tuple[float, int]:
    """The first trace second (a tick where the pool holds the job) whose next ``run_wall_seconds``, scaled,
    hold ``losses`` losses of the job's nodes (the most there are, if fewer); and how many."""
    world = SpotSimulation(source="trace", trace=trace).script((), WORKERS, load_catalog(), WORKERS).world
    span = max(1, int(run_wall_seconds * time_scale / world.tick_seconds))
    totals = window_losses(world, WORKERS, span)
    wanted = min(losses, int(totals.max()))
    start = int(np.argmax(totals == wanted))
    return start * world.tick_seconds, int(totals[start])


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
        "wall_ratio": round(result.wall_seconds / base.wall_seconds, 3),
        "paid_usd": s.paid_usd,
        "cost_ratio": round(s.paid_usd / b.paid_usd, 3) if b.paid_usd else None,
        "checkpoints": s.checkpoints,
        "final_val_loss": result.final_val_loss,
        "global_step": result.global_step,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-scale", type=float, default=30.0, help="trace seconds per benchmark second")
    parser.add_argument("--every", type=int, default=40, help="N: checkpoint every N steps")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--trace", choices=sorted(TRACES), default=DEFAULT_TRACE)
    parser.add_argument("--losses", type=int, default=3, help="losses within the undisturbed run's length")
    args = parser.parse_args()
    base_config = TrainingConfig(
        epochs=args.epochs,
        batch_size=4,
        learning_rate=0.003,
        checkpoint_every_steps=args.every,
        num_workers=WORKERS,
        spot_policy="baseline",
        max_failures=20,  # an unannounced loss reads as a worker failure: the trace may bring many
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
    probe = SpotSimulation(source="trace", trace=args.trace, time_scale=args.time_scale)
    plan = plan_for(probe.script((), WORKERS, load_catalog(), WORKERS).pool_candidates(), 1.0)
    quiet = SpotSimulation(source="fixed", time_scale=args.time_scale)  # the same pool and price, no losses
    console.print("sizing the window: the sskai configuration, no losses")
    sizing = run_once("mlp", base_config, quiet, plan)
    trained = sizing.trained_seconds or sizing.wall_seconds
    start, reclaims = window_with(args.trace, args.time_scale, trained, args.losses)
    console.print(
        f"trace {args.trace} from {start:.0f} s, x{args.time_scale:g}: {reclaims} losses in the "
        f"{trained:.0f} s after the first step"
    )
    simulation = probe.model_copy(update={"trace_start_seconds": start})
    results = {}
    for name, config in policies.items():
        console.print(f"on the trace: {name}")
        results[name] = run_once("mlp", config, simulation, plan)
    console.print("the undisturbed reference: the sskai configuration, no losses")
    undisturbed = run_once("mlp", base_config, quiet, plan)
    rows = [row("undisturbed (sskai configuration)", undisturbed, undisturbed)]
    rows += [row(name, result, undisturbed) for name, result in results.items()]

    table = Table(title=f"Goodput on {args.trace} from {start:.0f} s, time x{args.time_scale:g}")
    columns = ["policy", "status", "preemptions", "with_notice", "rework_worker_seconds", "waiting_seconds"]
    columns += ["wall_seconds", "wall_ratio", "paid_usd", "cost_ratio", "checkpoints", "final_val_loss"]
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
    window = {"trace": args.trace, "start_seconds": start, "time_scale": args.time_scale, "losses_in_window": reclaims}
    RESULTS.write_text(json.dumps({"window": window, "config": base_config.model_dump(), "rows": rows}, indent=2))
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
