"""Serving: latency and throughput of a real local endpoint under concurrent load, batched or not, beside the model.

One example model (``--example``, default ``cnn``: 3x32x32 images) is deployed twice as a real
endpoint process (HTTP server, sandboxed inference workers): with adaptive batching (requests that
queue behind a busy worker go to the model together) and without (``max_batch_rows=1``, every
request alone, as before). Each is driven at concurrency 1, 8, 64 and 200 by an asyncio client
(one-sample JSON requests, ``--requests`` per level), and gives p50/p95/p99 and requests per
second. The reference is the same model's raw batched forward in one process (no HTTP, no
sandbox) at a batch of the concurrency: samples per second, and the endpoint's share of it. At
concurrency 1 the endpoint's overhead is its p50 minus the raw forward of one sample.

Run: .venv/bin/python -m benchmarks.serving [--example cnn] [--requests 400]
(prints a table; writes benchmarks/results/serving.json)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from sskai.bundles.files import materialize_bundle
from sskai.bundles.spec import model_spec
from sskai.bundles.upload import upload_model
from sskai.examples import build_example
from sskai.serving.predictor import Predictor
from sskai.serving.service import deploy_endpoint, stop_stored_endpoint
from sskai.settings import Settings
from sskai.store.stores import open_stores

RESULTS = Path(__file__).parent / "results" / "serving.json"
CONCURRENCY = (1, 8, 64, 200)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def drive(url: str, key: str, body: bytes, concurrency: int, total: int) -> dict[str, Any]:
    """``total`` requests, ``concurrency`` at a time: latencies (ms), failures and requests per second."""
    latencies: list[float] = []
    failed = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        left = total

        async def one() -> None:
            nonlocal left, failed
            while left > 0:
                left -= 1
                started = time.perf_counter()
                response = await client.post(
                    "/v1/predict", content=body, headers={"x-api-key": key, "content-type": "application/json"}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                failed += response.status_code != 200

        await one()  # warm: one request before the clock
        latencies.clear()
        left = total
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "requests_per_second": len(latencies) / wall,
        "failed": failed,
    }


def raw_forward(predictor: Predictor, sample: np.ndarray, batch: int, repeats: int = 30) -> float:
    """Samples per second of the model's own batched forward, in this process."""
    inputs = np.repeat(sample, batch, axis=0)
    predictor.predict(inputs)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        predictor.predict(inputs)
        times.append(time.perf_counter() - started)
    return batch / statistics.median(times)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", default="cnn", choices=("mlp", "cnn", "gpt"))
    parser.add_argument("--requests", type=int, default=400, help="requests per concurrency level")
    args = parser.parse_args(argv)
    console = Console()
    torch.set_num_threads(1)  # as each inference worker runs
    results: dict[str, Any] = {"example": args.example, "requests": args.requests, "modes": {}}
    with tempfile.TemporaryDirectory(prefix="sskai-serving-") as folder:
        model_zip, _ = build_example(args.example, Path(folder))
        for mode, rows in (("batched", 32), ("one at a time", 1)):
            stores = open_stores(Settings(home=Path(folder) / mode.replace(" ", "-"), endpoint_max_batch_rows=rows))
            model = upload_model(stores, args.example, model_zip)
            spec = model_spec(model)
            sample = np.zeros((1, *spec.input_shape), dtype=np.float32)
            body = json.dumps({"inputs": sample.tolist()}).encode()
            record, key = deploy_endpoint(stores, f"bench-{rows}", model, training=None, plan=None)
            try:
                levels = {}
                for concurrency in CONCURRENCY:
                    console.print(f"{mode}: concurrency {concurrency}")
                    levels[concurrency] = asyncio.run(drive(record.url, key, body, concurrency, args.requests))
                results["modes"][mode] = levels
            finally:
                stop_stored_endpoint(stores, record.id, reason="benchmark finished")
            if "raw" not in results:
                bundle_dir = materialize_bundle(stores.artifacts, model.artifact_key, Path(folder) / "bundle")
                predictor = Predictor(bundle_dir, spec)
                results["raw_one_sample_ms"] = 1000 / raw_forward(predictor, sample, 1)
                results["raw_samples_per_second"] = {c: raw_forward(predictor, sample, c) for c in CONCURRENCY}
                results["raw"] = True
    results.pop("raw")
    table = Table(title=f"Serving {args.example}: {args.requests} one-sample requests per level")
    for column in (
        "mode",
        "concurrency",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "req/s",
        "failed",
        "raw batched samples/s",
        "share of raw",
    ):
        table.add_column(column)
    for mode, levels in results["modes"].items():
        for concurrency, level in levels.items():
            raw = results["raw_samples_per_second"][concurrency]
            level["share_of_raw"] = level["requests_per_second"] / raw
            table.add_row(
                mode,
                str(concurrency),
                f"{level['p50_ms']:.2f}",
                f"{level['p95_ms']:.2f}",
                f"{level['p99_ms']:.2f}",
                f"{level['requests_per_second']:.0f}",
                str(level["failed"]),
                f"{raw:.0f}",
                f"{level['share_of_raw']:.1%}",
            )
    console.print(table)
    overhead = results["modes"]["batched"][1]["p50_ms"] - results["raw_one_sample_ms"]
    results["overhead_p50_ms_at_concurrency_1"] = overhead
    batched, alone = results["modes"]["batched"][200], results["modes"]["one at a time"][200]
    results["batched_over_alone_at_200"] = batched["requests_per_second"] / alone["requests_per_second"]
    console.print(f"endpoint overhead at concurrency 1 (p50 - raw forward of one sample): {overhead:.2f} ms")
    console.print(f"throughput at 200, batched / one at a time: x{results['batched_over_alone_at_200']:.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    console.print(f"wrote {RESULTS}")
    return results


if __name__ == "__main__":
    main()
