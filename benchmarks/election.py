"""Election benchmark: what each policy's plan is expected to cost, on the shipped catalog.

For four fixed workloads, the plan chosen by `sskai` (expected cost, interruptions priced in), by
`algorithm1` (SSKAI's Algorithm 1), by "the cheapest spot instance that fits" and by the best
on-demand instance, all priced by the same cost model (sskai/election/cost_model.py); then the
ratios to sskai's plan, and each election's run time on the whole catalog.

Run: .venv/bin/python benchmarks/election.py   (prints a table; writes benchmarks/results/election.json)
"""

from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sskai.catalog import load_catalog
from sskai.catalog.catalog import Catalog, InstanceOffer, spot_usd_per_hour
from sskai.election import Algorithm1Election, Job, elect
from sskai.election.cost_model import expected_serving, expected_training, ondemand_serving, ondemand_training
from sskai.election.eligibility import eligible

REPORT = json.loads(
    (Path(__file__).parents[1] / "sskai" / "catalog" / "data" / "sskai_report_figures.json").read_text()
)
CHECKPOINT_SECONDS = REPORT["checkpoint_overhead"]["checkpoint_seconds_per_epoch"]  # 3.02 s, GPT-2 on a T4
TIMING_RUNS = 15

# Training FLOPs: 6 x parameters x tokens (forward + backward) for transformers; ResNet-50 is
# 4.1 GFLOPs per 224x224 image forward, x3 with backward, x 1,281,167 images x 90 epochs.
# QLoRA keeps the 4-bit base frozen but still back-propagates through it: 6 x N x D is kept as an upper bound.
WORKLOADS = [
    Job(
        name="GPT-2 124M fine-tune, 1B tokens",
        work_flops=6 * 124e6 * 1e9,
        min_accelerator_memory_gib=16,
        checkpoint_interval_seconds=600,
        checkpoint_seconds=CHECKPOINT_SECONDS,
    ),
    Job(
        name="ResNet-50, 90 epochs ImageNet-1k",
        work_flops=3 * 4.1e9 * 1_281_167 * 90,
        min_accelerator_memory_gib=16,
        checkpoint_interval_seconds=600,
        checkpoint_seconds=CHECKPOINT_SECONDS,
    ),
    Job(
        name="QLoRA 7B, 10M tokens",
        work_flops=6 * 7e9 * 10e6,
        min_accelerator_memory_gib=16,
        checkpoint_interval_seconds=600,
        checkpoint_seconds=CHECKPOINT_SECONDS,
    ),
    # Llama-2-13B in fp16 (26 GB of weights) at the SSKAI report's load. Prefill: 2 FLOPs per parameter
    # per input token; decoding: 2 FLOPs per parameter per output token, and every decode step of a batch of
    # 16 sequences reads the weights once. Weights plus KV cache for 16 x 2k-token sequences: ~40 GiB per node.
    Job(
        name="Serve Llama-2-13B (SSKAI report load)",
        kind="serve",
        min_total_accelerator_memory_gib=40,
        flops_per_second=(8.73e6 * 2 * 13e9 + 1.1664e6 * 2 * 13e9) / 3600,
        bytes_per_second=(1.1664e6 / 3600) * 26e9 / 16,
        restart_seconds=300,
    ),
]


def _evaluate(offer: InstanceOffer, catalog: Catalog, job: Job, on_demand: bool = False) -> dict[str, Any]:
    spec = catalog.accelerator_spec(offer)
    if job.kind == "train":
        training = ondemand_training(offer, spec, job) if on_demand else expected_training(offer, spec, job)
        cost, hours, instances, price = training.expected_usd, training.expected_hours, 1, training.usd_per_hour
    else:
        serving = ondemand_serving(offer, spec, job) if on_demand else expected_serving(offer, spec, job)
        cost, hours, instances, price = serving.expected_usd_per_hour, None, serving.instances, serving.usd_per_hour
    return {
        "instance_type": offer.instance_type,
        "region": offer.region,
        "accelerator": offer.accelerator,
        "interruption": None if on_demand else offer.spot_interruption_frequency,
        "instances": instances,
        "usd": cost,
        "hours": hours,
        "usd_per_hour": price,
    }


def plans(job: Job, catalog: Catalog) -> dict[str, dict[str, Any]]:
    offers = {(o.instance_type, o.region): o for o in catalog.offers}
    chosen = elect("sskai", job, catalog).best
    algorithm1 = Algorithm1Election.placement(elect("algorithm1", job, catalog), job)
    pairs = eligible(catalog, job)
    cheapest = min((o for o, _ in pairs), key=lambda o: (spot_usd_per_hour(o), o.instance_type, o.region))
    key = "usd"
    ondemand = min((_evaluate(o, catalog, job, on_demand=True) for o, _ in pairs), key=lambda p: p[key])
    return {
        "sskai": _evaluate(offers[(chosen.instance_type, chosen.region)], catalog, job),
        "algorithm1": _evaluate(offers[(algorithm1.instance_type, algorithm1.region)], catalog, job),
        "cheapest_fit": _evaluate(cheapest, catalog, job),
        "on_demand": ondemand,
    }


def election_seconds(name: str, catalog: Catalog) -> float:
    job = replace(WORKLOADS[0], min_accelerator_memory_gib=0)
    times = []
    for _ in range(TIMING_RUNS):
        start = time.perf_counter()
        elect(name, job, catalog)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> dict[str, Any]:
    catalog = load_catalog()
    console = Console(width=170)  # a readable table in logs and CI output, not just in a terminal
    results: dict[str, Any] = {"catalog": catalog.source, "offers": len(catalog.offers), "workloads": {}}
    table = Table(title=f"Expected cost of each policy's plan ({catalog.source})")
    for column in ("workload", "policy", "instance", "region", "interruptions", "n", "expected", "time (h)", "x sskai"):
        table.add_column(column, justify="right" if column in {"n", "expected", "time (h)", "x sskai"} else "left")
    for job in WORKLOADS:
        chosen = plans(job, catalog)
        base = chosen["sskai"]["usd"]
        for policy, plan in chosen.items():
            plan["ratio_to_sskai"] = plan["usd"] / base if base and math.isfinite(plan["usd"]) else None
            unit = "/h" if job.kind == "serve" else ""
            table.add_row(
                job.name,
                policy,
                plan["instance_type"],
                plan["region"],
                plan["interruption"] or "-",
                str(plan["instances"]),
                f"${plan['usd']:,.2f}{unit}",
                "-" if plan["hours"] is None else f"{plan['hours']:.1f}",
                f"{plan['ratio_to_sskai']:.2f}" if plan["ratio_to_sskai"] else "-",
            )
        results["workloads"][job.name] = chosen
    serving = results["workloads"][WORKLOADS[-1].name]
    results["sskai_report_llama_13b_usd_per_hour"] = REPORT["usd_per_hour"]
    results["serving_vs_report"] = {
        "sskai_plan_usd_per_hour": serving["sskai"]["usd"],
        "report_sskai_usd_per_hour": REPORT["usd_per_hour"]["sskai_proposed"],
        "report_sagemaker_on_demand_usd_per_hour": REPORT["usd_per_hour"]["aws_sagemaker_on_demand"],
    }
    results["election_seconds_median"] = {name: election_seconds(name, catalog) for name in ("sskai", "algorithm1")}
    console.print(table)
    console.print(
        f"Llama-2-13B serving: sskai plan ${serving['sskai']['usd']:.2f}/h; the SSKAI report priced its "
        f"platform at ${REPORT['usd_per_hour']['sskai_proposed']}/h and SageMaker on-demand at "
        f"${REPORT['usd_per_hour']['aws_sagemaker_on_demand']}/h"
    )
    for name, seconds in results["election_seconds_median"].items():
        console.print(
            f"{name} election over {len(catalog.offers):,} offers: median {seconds * 1000:.1f} ms ({TIMING_RUNS} runs)"
        )
    out = Path(__file__).parent / "results" / "election.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    console.print(f"wrote {out}")
    return results


if __name__ == "__main__":
    main()
