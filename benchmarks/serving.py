"""Serving: latency and throughput of a real local endpoint under concurrent load, beside the model's own forward.

One example model (``--example``, default ``cnn``: 3x32x32 images) is profiled and recommended for
a ``--slo-ms`` p95 target, so the endpoint's batch limits are the ones the deploy chooses from
the profile (``sskai.serving.batch_plan``). It is deployed twice as a real endpoint process (HTTP
server, sandboxed inference worker): with adaptive batching, and one request at a time
(``max_batch_rows=1``). Each is driven at concurrency 1, 8, 64 and 200 by an asyncio client
(aiohttp, one connection per concurrent client, one-sample requests as ``.npy`` and as JSON) and
gives p50/p95/p99 and requests per second. The reference is the same model's raw batched forward in
one process (no HTTP, no sandbox, one thread, as the worker) at a batch of the concurrency: samples
per second, and the endpoint's share of it. At concurrency 1 the endpoint's overhead is its p50
minus the raw forward of one sample. Cold start is deploy to the first 200 (worker start, model
load, first answer).

Run: .venv/bin/python -m benchmarks.serving [--example cnn] [--requests 400] [--slo-ms 100]
(prints a table; writes benchmarks/results/serving.json)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from sskai.bundles.files import materialize_bundle
from sskai.bundles.spec import model_spec
from sskai.bundles.upload import upload_model
from sskai.catalog.versions import current_catalog
from sskai.examples import build_example
from sskai.kinds import Status
from sskai.plans import Workload
from sskai.profiling.service import profile_stored_model, stored_metrics
from sskai.recommend import recommend
from sskai.serving.predictor import Predictor
from sskai.serving.process import EndpointLimits
from sskai.serving.service import deploy_endpoint, stop_stored_endpoint
from sskai.serving.targets import launch_config
from sskai.settings import Settings
from sskai.store.metadata import RecommendationRecord
from sskai.store.stores import open_stores

RESULTS = Path(__file__).parent / "results" / "serving.json"
CONCURRENCY = (1, 8, 64, 200)
BODIES = {"npy": "application/x-npy", "json": "application/json"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def drive(url: str, key: str, body: bytes, content_type: str, concurrency: int, total: int) -> dict[str, Any]:
    """``total`` requests, ``concurrency`` at a time: latencies (ms), failures and requests per second."""
    latencies: list[float] = []
    failed = 0
    headers = {"x-api-key": key, "content-type": content_type, "accept": content_type}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as client:
        left = total

        async def one() -> None:
            nonlocal left, failed
            while left > 0:
                left -= 1
                started = time.perf_counter()
                async with client.post(f"{url}/v1/predict", data=body, headers=headers) as response:
                    await response.read()
                    failed += response.status != 200
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(one() for _ in range(concurrency)))  # warm: every connection opened once
        latencies.clear()
        left = total
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
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


def bodies(sample: np.ndarray) -> dict[str, bytes]:
    buffer = io.BytesIO()
    np.save(buffer, sample, allow_pickle=False)
    return {"npy": buffer.getvalue(), "json": json.dumps({"inputs": sample.tolist()}).encode()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", default="cnn", choices=("mlp", "cnn", "gpt"))
    parser.add_argument("--requests", type=int, default=400, help="requests per level (at least 5 per client)")
    parser.add_argument("--slo-ms", type=float, default=100.0, help="the p95 target the model is recommended for")
    args = parser.parse_args(argv)
    console = Console(width=140)
    torch.set_num_threads(1)  # as each inference worker runs
    results: dict[str, Any] = {"example": args.example, "slo_ms": args.slo_ms, "modes": {}, "cold_start_s": {}}
    with tempfile.TemporaryDirectory(prefix="sskai-serving-") as folder:
        stores = open_stores(Settings(home=Path(folder) / "home"))
        model_zip, _ = build_example(args.example, Path(folder))
        model = upload_model(stores, args.example, model_zip)
        console.print(f"profiling {args.example} and recommending it for a {args.slo_ms:.0f} ms p95 target")
        profile = profile_stored_model(stores, model)
        plan = recommend(stored_metrics(profile), current_catalog(stores), Workload(latency_slo_ms=args.slo_ms))
        stores.metadata.add(
            RecommendationRecord(
                owner=model.owner, model_id=model.id, profile_id=profile.id, plan=plan.stored(), status=Status.READY
            )
        )
        spec = model_spec(model)
        sample = np.zeros((1, *spec.input_shape), dtype=np.float32)
        payloads = bodies(sample)
        for mode, rows in (("batched", stores.settings.endpoint_max_batch_rows), ("one at a time", 1)):
            limits = EndpointLimits.of(stores.settings).model_copy(update={"max_batch_rows": rows})
            began = time.perf_counter()
            record, key = deploy_endpoint(stores, f"bench-{rows}", model, None, plan.serving, limits=limits)
            answer = httpx.post(
                f"{record.url}/v1/predict",
                content=payloads["npy"],
                headers={"x-api-key": key, "content-type": BODIES["npy"]},
            )
            results["cold_start_s"][mode] = time.perf_counter() - began if answer.status_code == 200 else None
            chosen = launch_config(record)
            results.setdefault("batching", {})[mode] = {
                "max_batch_rows": chosen.max_batch_rows,
                "max_batch_wait_ms": chosen.max_batch_wait_ms,
                "reason": chosen.batching,
            }
            try:
                levels: dict[str, Any] = {}
                for name, content_type in BODIES.items():
                    for concurrency in CONCURRENCY:
                        console.print(f"{mode}, {name}: concurrency {concurrency}")
                        total = max(args.requests, 5 * concurrency)
                        run = drive(record.url, key, payloads[name], content_type, concurrency, total)
                        levels[f"{name}@{concurrency}"] = asyncio.run(run)
                levels["batching"] = httpx.get(f"{record.url}/metrics").json()["batching"]
                results["modes"][mode] = levels
            finally:
                stop_stored_endpoint(stores, record.id, reason="benchmark finished")
        bundle_dir = materialize_bundle(stores.artifacts, model.artifact_key, Path(folder) / "bundle")
        predictor = Predictor(bundle_dir, spec)
        results["raw_one_sample_ms"] = 1000 / raw_forward(predictor, sample, 1)
        batch_sizes = sorted({*CONCURRENCY, stores.settings.endpoint_max_batch_rows})
        results["raw_samples_per_second"] = {str(c): raw_forward(predictor, sample, c) for c in batch_sizes}
    print_tables(console, results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    console.print(f"wrote {RESULTS}")
    return results


def print_tables(console: Console, results: dict[str, Any]) -> None:
    table = Table(title=f"Serving {results['example']}: one-sample requests, p95 target {results['slo_ms']:.0f} ms")
    for column in ("mode", "body", "concurrency", "p50 ms", "p95 ms", "p99 ms", "req/s", "failed", "raw/s", "of raw"):
        table.add_column(column, justify="left" if column in ("mode", "body") else "right")
    raw = results["raw_samples_per_second"]
    for mode, levels in results["modes"].items():
        for name in BODIES:
            for concurrency in CONCURRENCY:
                level = levels[f"{name}@{concurrency}"]
                level["share_of_raw"] = level["requests_per_second"] / raw[str(concurrency)]
                table.add_row(
                    mode,
                    name,
                    str(concurrency),
                    f"{level['p50_ms']:.2f}",
                    f"{level['p95_ms']:.2f}",
                    f"{level['p99_ms']:.2f}",
                    f"{level['requests_per_second']:.0f}",
                    str(level["failed"]),
                    f"{raw[str(concurrency)]:.0f}",
                    f"{level['share_of_raw']:.1%}",
                )
    console.print(table)
    batched, alone = results["modes"]["batched"], results["modes"]["one at a time"]
    for name in BODIES:
        overhead = batched[f"{name}@1"]["p50_ms"] - results["raw_one_sample_ms"]
        results[f"overhead_p50_ms_at_concurrency_1_{name}"] = overhead
        ratio = batched[f"{name}@200"]["requests_per_second"] / alone[f"{name}@200"]["requests_per_second"]
        results[f"batched_over_alone_at_200_{name}"] = ratio
        console.print(
            f"{name}: overhead at concurrency 1 (p50 - raw forward of one sample, "
            f"{results['raw_one_sample_ms']:.2f} ms): {overhead:.2f} ms; "
            f"at 200, batched / one at a time: x{ratio:.2f}; mean batch {batched['batching']['mean_batch']:.1f}"
        )
    chosen = results["batching"]["batched"]
    console.print(f"batch limits from the profile: {chosen['reason']}")
    console.print(
        "cold start (deploy to the first 200): "
        + ", ".join(f"{mode} {seconds:.1f} s" for mode, seconds in results["cold_start_s"].items() if seconds)
    )


if __name__ == "__main__":
    main()
