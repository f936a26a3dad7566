"""The ``sskai`` command: every pipeline stage from the terminal, with progress bars on long work.

Commands run the same Prefect flows the UI and schedules run (against PREFECT_API_URL when set,
else a temporary local server), and read the same stores.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="sskai: train and serve models on the cheapest compute that fits.", no_args_is_help=True)
upload_app = typer.Typer(help="Store a model or dataset zip.", no_args_is_help=True)
endpoints_app = typer.Typer(help="List and stop endpoints.", no_args_is_help=True)
app.add_typer(upload_app, name="upload")
app.add_typer(endpoints_app, name="endpoints")
console = Console()


@app.callback()
def _quiet(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False) -> None:
    """Keep Prefect's per-task logs out of the progress display unless asked for."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _stores() -> Any:
    from sskai.store.stores import open_stores

    return open_stores()


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
    return typer.Exit(code=1)


def _run(work: Any, stages: tuple[str, ...]) -> Any:
    from sskai.errors import SskaiError
    from ui.progress import run_with_progress

    try:
        return run_with_progress(work, _stores(), console, stages)
    except (SskaiError, ValueError) as exc:
        raise _fail(exc) from exc


@app.command()
def demo(
    example: Annotated[str, typer.Option(help="Example to run: mlp, cnn or gpt.")] = "mlp",
    keep_endpoint: Annotated[bool, typer.Option(help="Leave the endpoint running afterwards.")] = True,
) -> None:
    """Run the whole pipeline on a shipped example and end with a live endpoint and the cost summary."""
    from flows.pipeline import pipeline_flow

    summary = _run(lambda: pipeline_flow(example=example), ("upload", "profile", "recommend", "train", "deploy"))
    _print_summary(summary)
    if not keep_endpoint:
        from sskai.serving.service import stop_stored_endpoint

        stop_stored_endpoint(_stores(), summary["endpoint"]["endpoint_id"], reason="demo finished")
        console.print("endpoint stopped")


def _print_summary(summary: dict[str, Any]) -> None:
    endpoint = summary["endpoint"]
    console.rule(f"[bold]{summary['model']} trained and serving")
    metrics = summary["training_metrics"]
    console.print(
        "training: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
    )
    console.print(f"endpoint: [bold]{endpoint['url']}[/]  (API key, shown once: {endpoint['api_key']})")
    if summary.get("sample_outputs") is not None:
        console.print(f"sample request answered: {json.dumps(summary['sample_outputs'])[:200]}")
    console.print(
        f"call it:  curl -s -X POST {endpoint['url']}/v1/predict -H 'authorization: Bearer "
        f"{endpoint['api_key']}' -H 'content-type: application/json' -d '{{\"inputs\": [...]}}'"
    )
    _print_costs(summary["costs"], "kind")


def _usd(value: float) -> str:
    """Metered figures of a demo are fractions of a cent: keep significant digits, not decimals."""
    return f"{value:.4g}" if abs(value) < 0.01 else f"{value:,.4f}"


def _print_costs(rows: list[dict[str, Any]], by: str) -> None:
    table = Table(title="Cost summary (simulated spot/serverless metering at catalog prices)")
    for column in (by, "paid (USD)", "instead (USD)", "saving (USD)", "saving"):
        table.add_column(column, justify="right" if column != by else "left")
    for row in rows:
        pct = row.get("saving_pct")
        table.add_row(
            str(row[by]),
            _usd(row["paid_usd"]),
            _usd(row["baseline_usd"]),
            _usd(row["saving_usd"]),
            f"{pct:.1f}%" if pct is not None and pct == pct else "-",
        )
    console.print(table)


@upload_app.command("model")
def upload_model(
    name: str,
    archive: Path,
    input_shape: Annotated[str | None, typer.Option(help="Shape of one sample, e.g. 3,32,32.")] = None,
    input_dtype: Annotated[str | None, typer.Option(help="float32, int64, ...")] = None,
    value_range: Annotated[str | None, typer.Option(help="low,high")] = None,
    task: Annotated[str | None, typer.Option(help="regression, classification or causal_lm")] = None,
) -> None:
    """Store a model zip (model.py with ModelClass; optional weights and sskai.json)."""
    from flows.upload import upload_flow

    declared: dict[str, Any] = {}
    if input_shape:
        declared["input_shape"] = [int(d) for d in input_shape.split(",")]
    if input_dtype:
        declared["input_dtype"] = input_dtype
    if value_range:
        declared["value_range"] = [float(v) for v in value_range.split(",")]
    if task:
        declared["task"] = task
    result = _run(
        lambda: upload_flow(model_name=name, model_zip=str(archive), model_declaration=declared or None), ("upload",)
    )
    console.print(f"stored model {name}: {result['model_id']}")


@upload_app.command("dataset")
def upload_dataset(name: str, archive: Path) -> None:
    """Store a dataset zip (loader.py, or x.npy/y.npy, or a CSV declared in sskai.json)."""
    from flows.upload import upload_flow

    result = _run(lambda: upload_flow(dataset_name=name, dataset_zip=str(archive)), ("upload",))
    console.print(f"stored dataset {name}: {result['dataset_id']}")


@app.command()
def profile(model: str, timeout_seconds: float = 300.0) -> None:
    """Measure a stored model (in a separate process)."""
    from flows.profile import profile_flow
    from sskai.store.metadata import Profile

    profile_id = _run(lambda: profile_flow(model, timeout_seconds=timeout_seconds), ("profile",))
    table = Table(title=f"Profile of {model}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in _stores().metadata.get(Profile, profile_id).metrics.items():
        shown = f"{value:,.4g}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)
        table.add_row(key, shown)
    console.print(table)


@app.command()
def recommend(
    model: str,
    requests_per_hour: float = 1000.0,
    latency_slo_ms: float = 1000.0,
    training_samples: int = 10_000,
    epochs: int = 3,
) -> None:
    """Where to serve and train a profiled model, and why."""
    from flows.recommend import recommend_flow
    from sskai.store.metadata import Recommendation

    workload = {
        "requests_per_hour": requests_per_hour,
        "latency_slo_ms": latency_slo_ms,
        "training_samples": training_samples,
        "epochs": epochs,
    }
    record_id = _run(lambda: recommend_flow(model, workload=workload), ("recommend",))
    plan = _stores().metadata.get(Recommendation, record_id).plan
    serving, training = plan["serving"], plan["training"]
    console.rule(f"Serving: [bold]{serving['target']}[/] at ${serving['usd_per_hour']:.5f}/h")
    for reason in serving["reasons"]:
        console.print(f"  - {reason}")
    if training:
        console.rule(f"Training: [bold]{training['instance_type']}[/] in {training['region']}")
        for reason in training["reasons"]:
            console.print(f"  - {reason}")


@app.command()
def train(
    model: str,
    dataset: str,
    epochs: int = 3,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    optimizer: str = "adam",
    loss: Annotated[str | None, typer.Option()] = None,
    num_workers: int = 2,
    checkpoint_every_steps: int = 50,
) -> None:
    """Train a stored model on a stored dataset on the local Ray cluster."""
    from flows.train import train_flow
    from sskai.store.metadata import Training

    config = {
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "optimizer": optimizer,
        "loss": loss,
        "num_workers": num_workers,
        "checkpoint_every_steps": checkpoint_every_steps,
    }
    training_id = _run(lambda: train_flow(model, dataset, config=config), ("train",))
    record = _stores().metadata.get(Training, training_id)
    console.print(f"training {training_id} {record.status}: {record.metrics}")


@app.command()
def deploy(endpoint: str, model: str, training: Annotated[str | None, typer.Option(help="Training id")] = None) -> None:
    """Serve a model (with a training's weights) as an HTTP endpoint."""
    from flows.deploy import deploy_flow

    result = _run(lambda: deploy_flow(endpoint, model, training_id=training), ("deploy",))
    console.print(f"endpoint {endpoint} at [bold]{result['url']}[/]; API key (shown once): {result['api_key']}")


@app.command()
def predict(
    endpoint: str,
    api_key: Annotated[str, typer.Option(envvar="SSKAI_API_KEY", help="The endpoint's API key.")],
    inputs: Annotated[str, typer.Option(help="A .npy file, or a JSON array.")],
) -> None:
    """Send one request to an endpoint and print the answer."""
    from sskai.errors import SskaiError
    from sskai.serving.client import predict as call
    from sskai.store.metadata import Endpoint, Status

    record = _stores().metadata.latest(Endpoint, owner=_stores().settings.owner, name=endpoint, status=Status.READY)
    if record is None:
        raise _fail(ValueError(f"no running endpoint named {endpoint!r}"))
    array = np.load(inputs, allow_pickle=False) if inputs.endswith(".npy") else np.asarray(json.loads(inputs))
    try:
        console.print(json.dumps(call(record.url, api_key, array).tolist()))
    except SskaiError as exc:
        raise _fail(exc) from exc


@endpoints_app.command("list")
def list_endpoints() -> None:
    from sskai.store.metadata import Endpoint

    table = Table(title="Endpoints")
    for column in ("name", "status", "target", "url", "created"):
        table.add_column(column)
    for record in _stores().metadata.list(Endpoint, owner=_stores().settings.owner):
        table.add_row(
            record.name, record.status, record.target, record.url or "-", f"{record.created_at:%Y-%m-%d %H:%M}"
        )
    console.print(table)


@endpoints_app.command("stop")
def stop_endpoints(name: str) -> None:
    """Stop every running endpoint with this name (metering it one last time)."""
    from flows.monitor import monitor_flow
    from sskai.serving.service import stop_stored_endpoint
    from sskai.store.metadata import Endpoint, Status

    stores = _stores()
    running = stores.metadata.list(Endpoint, owner=stores.settings.owner, name=name, status=Status.READY)
    if not running:
        raise _fail(ValueError(f"no running endpoint named {name!r}"))
    monitor_flow()
    for record in running:
        stop_stored_endpoint(stores, record.id)
    console.print(f"stopped {len(running)} endpoint(s) named {name}")


@app.command()
def costs(by: Annotated[str, typer.Option(help="day, month or kind")] = "day") -> None:
    """The cost ledger rolled up: what was paid, what it replaced, the saving."""
    from sskai.monitoring import cost_frame, cost_rollup

    if by not in {"day", "month", "kind"}:
        raise _fail(ValueError("--by must be day, month or kind"))
    _print_costs(cost_rollup(cost_frame(_stores()), by=by).to_dict(orient="records"), by)


@app.command()
def monitor() -> None:
    """Meter every endpoint now and print the cost summary."""
    from flows.monitor import monitor_flow

    result = monitor_flow()
    for reading in result["endpoints"]:
        console.print(
            f"{reading['name']}: {'up' if reading['alive'] else 'DOWN'} "
            f"{ {k: v for k, v in reading.items() if k not in {'name', 'endpoint_id', 'alive'}} }"
        )
    _print_costs(result["costs"], "kind")


@app.command()
def elect(
    election: Annotated[str, typer.Option(help="sskai (expected cost) or baseline (SSKAI's Algorithm 1)")] = "sskai",
    work_flops: Annotated[float, typer.Option(help="Total training FLOPs of the job.")] = 1e18,
    min_memory_gib: Annotated[float, typer.Option(help="Accelerator memory one device needs.")] = 16.0,
    checkpoint_interval_seconds: float = 600.0,
    region: Annotated[list[str] | None, typer.Option(help="Allowed regions (repeat); default all.")] = None,
    top: int = 3,
) -> None:
    """Run an instance election on the shipped catalog and show every number that decided it."""
    from sskai.catalog import load_catalog
    from sskai.election import Job
    from sskai.election import elect as run_election

    job = Job(
        name="cli",
        work_flops=work_flops,
        min_accelerator_memory_gib=min_memory_gib,
        checkpoint_interval_seconds=checkpoint_interval_seconds,
        regions=tuple(region) if region else None,
        top_k=top,
    )
    try:
        result = run_election(election, job, load_catalog())
    except ValueError as exc:
        raise _fail(exc) from exc
    table = Table(title=f"{election} election: {result.considered} offers considered")
    for column in ("tier GiB", "instance", "region", "interruptions", "spot $/h", "score", "numbers"):
        table.add_column(column)
    for tier, candidates in result.tiers.items():
        for candidate in candidates[:top]:
            numbers = ", ".join(f"{k}={v:.4g}" for k, v in candidate.numbers.items())
            table.add_row(
                f"{tier:g}",
                candidate.instance_type,
                candidate.region,
                str(candidate.interruption_frequency),
                f"{candidate.spot_usd_per_hour:.4f}",
                f"{candidate.score:.4g}",
                numbers,
            )
    console.print(table)
    for reason in result.reasons:
        console.print(f"- {reason}")
    if result.best is not None:
        console.print(f"best: [bold]{result.best.instance_type}[/] in {result.best.region}")


@app.command("refresh-prices")
def refresh_prices(
    region: Annotated[str, typer.Option(help="The cluster's region: its NodePools are written.")] = "us-east-1",
    live: Annotated[
        bool | None, typer.Option("--live/--snapshot", help="Default: live when AWS credentials exist.")
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Where to write the NodePools YAML.")] = None,
) -> None:
    """Refresh the price catalog, re-run the election and rewrite the Karpenter NodePools if the answer changed."""
    from flows.pricing_refresh import pricing_refresh_flow

    result = _run(
        lambda: pricing_refresh_flow(cluster_region=region, live=live, output=str(output) if output else None), ()
    )
    state = "rewritten" if result["changed"] else "unchanged (same answer)"
    console.print(f"NodePools {state}: {result['path']}")
    for pool, change in result["diff"].items():
        console.print(f"  {pool}: +{change['added']} -{change['removed']}")


@app.command()
def examples(directory: Annotated[Path, typer.Argument(help="Folder to write into.")] = Path("examples")) -> None:
    """Write the example bundles (model and dataset zips) into a folder."""
    from sskai.examples import EXAMPLES, build_example

    for name, example in EXAMPLES.items():
        model_zip, data_zip = build_example(name, directory)
        console.print(f"{name}: {model_zip}, {data_zip}  ({example.summary})")


if __name__ == "__main__":
    app()
