"""CLI start-up: how long the read-only ``sskai`` commands take, and how much of it is importing.

Each command runs ``--runs`` times as a fresh process (``python -m ui.cli ...`` in the checkout
given by ``--checkout``, default this one) against an empty ``SSKAI_HOME``; the table gives the
median wall time per command, and the import time of ``ui.cli`` with the modules that cost the
most (``python -X importtime``, cumulative). Point ``--checkout`` at a worktree of an older commit
to compare before and after in one run (``git worktree add /tmp/before <commit>``).

Run: .venv/bin/python -m benchmarks.cli_startup [--runs 5] [--checkout PATH ...]
(prints a table; writes benchmarks/results/cli_startup.json)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parent / "results" / "cli_startup.json"
COMMANDS = (
    ("--help",),
    ("models", "list"),
    ("trainings", "list"),
    ("endpoints", "list"),
    ("costs",),
    ("train", "--help"),
)
HEAVY = ("torch", "ray", "prefect", "pandas", "streamlit", "boto3", "transformers")


def time_command(checkout: Path, command: tuple[str, ...], home: Path, runs: int) -> float:
    """Median seconds of ``sskai COMMAND`` as a fresh process, over ``runs``."""
    environment = {**os.environ, "SSKAI_HOME": str(home), "PYTHONPATH": str(checkout), "COLUMNS": "100"}
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "ui.cli", *command], cwd=checkout, env=environment, capture_output=True, text=True
        )
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"sskai {' '.join(command)} failed in {checkout}: {done.stdout}{done.stderr}")
    return statistics.median(seconds)


def import_costs(checkout: Path) -> tuple[float, dict[str, float]]:
    """Seconds to import ``ui.cli``, and the cumulative import seconds of the heavy packages it pulled in."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import ui.cli"],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=True,
    )
    heavy: dict[str, float] = {}
    total = 0.0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if not cumulative.isdigit():
            continue
        if name == "ui.cli":
            total = int(cumulative) / 1e6
        if name in HEAVY:
            heavy[name] = int(cumulative) / 1e6
    return total, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkout", type=Path, action="append", help="a checkout to time (repeat to compare)")
    args = parser.parse_args()
    checkouts = [path.resolve() for path in args.checkout or [Path(__file__).resolve().parents[1]]]
    results: dict[str, dict] = {}
    for checkout in checkouts:
        with tempfile.TemporaryDirectory(prefix="sskai-cli-bench-") as home:
            commands = {" ".join(c): time_command(checkout, c, Path(home), args.runs) for c in COMMANDS}
        total, heavy = import_costs(checkout)
        results[str(checkout)] = {"commands_seconds": commands, "import_seconds": total, "heavy_imports": heavy}
    table = Table(title=f"sskai commands: median seconds over {args.runs} fresh processes")
    table.add_column("command")
    for checkout in checkouts:
        table.add_column(checkout.name, justify="right")
    for command in COMMANDS:
        name = " ".join(command)
        table.add_row(f"sskai {name}", *(f"{results[str(c)]['commands_seconds'][name]:.2f}" for c in checkouts))
    table.add_row("import ui.cli", *(f"{results[str(c)]['import_seconds']:.2f}" for c in checkouts))
    for package in HEAVY:
        table.add_row(
            f"  of it: {package}",
            *(f"{results[str(c)]['heavy_imports'].get(package, 0.0):.2f}" for c in checkouts),
        )
    Console().print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": args.runs, "checkouts": results}, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
