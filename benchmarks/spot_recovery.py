"""Recovery: seconds from a node's drain (and from an unannounced kill) to the next completed training step.

One real training on a fresh local spot cluster (a head and two worker nodes as separate ``ray
start`` processes); the simulator alternates, on the two worker slots, a drain with a notice and
an unannounced kill, with capacity back at once and no provisioning delay, so what is timed is
sskai's and Ray's own recovery: noticing the loss, restarting the worker group on the replacement
node, loading the newest checkpoint and taking a step. For a drain it is timed from the notice
and from the reclaim (the deadline); for a kill from the kill. The next step is the worker group's
first completed step, as its first report after the restart records it.

Run: .venv/bin/python -m benchmarks.spot_recovery [--rounds 4]
(prints a table; writes benchmarks/results/spot_recovery.json)
"""

from __future__ import annotations

import argparse
import json
import statistics
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.spot_harness import run_once
from sskai.kinds import EventKind
from sskai.localcloud.simulation import ScheduledPreemption, SpotSimulation
from sskai.store.metadata import TrainingEvent
from sskai.training.config import TrainingConfig

RESULTS = Path(__file__).parent / "results" / "spot_recovery.json"
SPACING_SECONDS = 30.0
NOTICE_SECONDS = 10.0


def recoveries(events: list[TrainingEvent]) -> dict[str, list[float]]:
    """Per loss: seconds from its notice / reclaim / kill to the next resumed worker group's first step."""
    found: dict[str, list[float]] = {"from notice": [], "from reclaim (deadline)": [], "from unannounced kill": []}
    notice: datetime | None = None
    loss: tuple[datetime, bool] | None = None  # (when, announced)
    for event in events:
        if event.kind == EventKind.NOTICE:
            notice = event.at
        elif event.kind == EventKind.NODE_DOWN and event.detail.get("reason") == "preempted" and loss is None:
            loss = (event.at, notice is not None)
        elif event.kind == EventKind.RESUMED and loss is not None:
            first_step = event.detail["first_step_at"]
            at, announced = loss
            if announced and notice is not None:
                found["from notice"].append(first_step - notice.timestamp())
                found["from reclaim (deadline)"].append(first_step - at.timestamp())
            elif not announced:
                found["from unannounced kill"].append(first_step - at.timestamp())
            notice, loss = None, None
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="drains and kills, each")
    parser.add_argument("--epochs", type=int, default=250, help="long enough to outlast the schedule")
    args = parser.parse_args()
    preemptions = []
    for index in range(2 * args.rounds):
        announced = index % 2 == 0
        preemptions.append(
            ScheduledPreemption(
                at_seconds=(index + 1) * SPACING_SECONDS,
                slot=f"worker-{index % 2}",
                notice_seconds=NOTICE_SECONDS if announced else 0.0,
            )
        )
    simulation = SpotSimulation(source="fixed", provisioning_seconds=0.0, preemptions=tuple(preemptions))
    # Unannounced losses count as worker failures (Ray cannot tell them from a crash): allow one per kill.
    config = TrainingConfig(
        epochs=args.epochs, batch_size=16, checkpoint_every_steps=20, num_workers=2, max_failures=2 * args.rounds
    )
    console = Console()
    console.print(f"{len(preemptions)} preemptions, one every {SPACING_SECONDS:g} s; notice {NOTICE_SECONDS:g} s")
    result = run_once("mlp", config, simulation)
    found = recoveries(result.events)
    table = Table(title="Seconds to the next completed step (local cluster, no provisioning delay)")
    for column in ("measured from", "n", "p50", "p95", "max"):
        table.add_column(column)
    rows = []
    for name, values in found.items():
        if not values:
            continue
        stats = {
            "n": len(values),
            "p50": statistics.median(values),
            "p95": percentile(values, 0.95),
            "max": max(values),
        }
        rows.append({"measured_from": name, **stats, "values": values})
        table.add_row(name, str(stats["n"]), *(f"{stats[k]:.2f}" for k in ("p50", "p95", "max")))
    console.print(table)
    console.print(f"training {result.status}, {result.global_step} steps, wall {result.wall_seconds:.0f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "notice_seconds": NOTICE_SECONDS,
                "spacing_seconds": SPACING_SECONDS,
                "status": result.status,
                "rows": rows,
            },
            indent=2,
        )
    )
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
