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
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sskai.ledger import LedgerGrouping, LedgerRow
from sskai.recommend import Workload
from sskai.spot.simulation import TRACES, SpotSimulation
from sskai.training.config import TrainingConfig
from ui.options import options_from, validation_reason
from ui.render import print_sections

app = typer.Typer(help="sskai: train and serve models on the cheapest compute that fits.", no_args_is_help=True)
upload_app = typer.Typer(help="Store a model or dataset zip.", no_args_is_help=True)
endpoints_app = typer.Typer(help="List and stop endpoints.", no_args_is_help=True)
models_app = typer.Typer(help="Choose which stored version a model name resolves to.", no_args_is_help=True)
datasets_app = typer.Typer(help="Choose which stored version a dataset name resolves to.", no_args_is_help=True)
app.add_typer(upload_app, name="upload")
app.add_typer(endpoints_app, name="endpoints")
app.add_typer(models_app, name="models")
budget_app = typer.Typer(help="A monthly budget: the monitor alerts when the month's projection crosses it.")
app.add_typer(datasets_app, name="datasets")
app.add_typer(budget_app, name="budget")
console = Console()


@app.callback()
def _quiet(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False) -> None:
    """Keep Prefect's logs out of the terminal unless asked for: the CLI shows progress and one line per failure.

    They still reach the Prefect server, where each run's page shows them.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


def _stores() -> Any:
    from tasks.common import stores

    return stores()


def _fail(exc: Exception) -> typer.Exit:
    reason = validation_reason(exc) if isinstance(exc, ValidationError) else str(exc)
    console.print(f"[bold red]error:[/] {escape(reason)}", soft_wrap=True)
    return typer.Exit(code=1)


def _run(work: Any, stages: tuple[str, ...]) -> Any:
    from sskai.errors import SskaiError
    from ui.progress import run_with_progress

    try:
        return run_with_progress(work, _stores(), console, stages)
    except (SskaiError, ValueError) as exc:
        raise _fail(exc) from exc


SimulateSpotOption = Annotated[
    str | None,
    typer.Option(
        help="Reclaim the local cluster's spot workers as a cloud would: 'rates' (the elected pool's "
        f"interruption band) or a real trace ({', '.join(TRACES)})."
    ),
]
TimeScaleOption = Annotated[
    float, typer.Option(min=0.001, help="Real-world seconds per simulated second (notices, delays, traces).")
]


def _spot_simulation(simulate_spot: str | None, time_scale: float) -> SpotSimulation | None:
    if not simulate_spot:
        return None
    if simulate_spot != "rates" and simulate_spot not in TRACES:
        raise _fail(ValueError(f"--simulate-spot: choose 'rates' or one of {', '.join(TRACES)}"))
    source = "rates" if simulate_spot == "rates" else "trace"
    return SpotSimulation(source=source, time_scale=time_scale, trace=simulate_spot if source == "trace" else None)


@app.command()
def demo(
    example: Annotated[str, typer.Option(help="Example to run: mlp, cnn or gpt.")] = "mlp",
    keep_endpoint: Annotated[bool, typer.Option(help="Leave the endpoint running afterwards.")] = True,
    simulate_spot: SimulateSpotOption = None,
    time_scale: TimeScaleOption = 60.0,
) -> None:
    """Run the whole pipeline on a shipped example and end with a live endpoint and the cost summary."""
    from flows.pipeline import pipeline_flow

    simulation = _spot_simulation(simulate_spot, time_scale)
    summary = _run(
        lambda: pipeline_flow(example=example, spot_simulation=simulation),
        ("upload", "profile", "recommend", "train", "deploy"),
    )
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
    _print_costs(summary["costs"], LedgerGrouping.KIND)
    from sskai.reports import training_cost_section
    from sskai.training.summary import training_summary

    print_sections(console, [training_cost_section(training_summary(_stores(), summary["training_id"]))])


def _print_costs(rows: list[LedgerRow], by: LedgerGrouping) -> None:
    from sskai.reports import ledger_section

    print_sections(console, [ledger_section(rows, by)])


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
    from sskai.bundles import InputDeclaration

    try:
        declared = InputDeclaration(
            input_shape=input_shape, input_dtype=input_dtype, value_range=value_range, task=task
        )
    except ValidationError as exc:
        raise _fail(exc) from exc
    result = _run(lambda: upload_flow(model_name=name, model_zip=str(archive), model_declaration=declared), ("upload",))
    _print_upload_note("model", result["model_id"])


@upload_app.command("dataset")
def upload_dataset(name: str, archive: Path) -> None:
    """Store a dataset zip (loader.py, or x.npy/y.npy, or a CSV declared in sskai.json)."""
    from flows.upload import upload_flow

    result = _run(lambda: upload_flow(dataset_name=name, dataset_zip=str(archive)), ("upload",))
    _print_upload_note("dataset", result["dataset_id"])


def _print_upload_note(what: str, record_id: str) -> None:
    from sskai.store.metadata import Dataset, Model
    from sskai.upload import upload_note

    stores = _stores()
    record = stores.metadata.get(Model if what == "model" else Dataset, record_id)
    console.print(upload_note(stores, record), markup=False)
    console.print(f"{what} id: {record_id}", markup=False)


@models_app.command("use")
def use_model(name: str, version: int) -> None:
    """Make NAME resolve to VERSION (a rollback, or back to a newer one) until the next upload."""
    _use_version("model", name, version)


@datasets_app.command("use")
def use_dataset(name: str, version: int) -> None:
    """Make NAME resolve to VERSION until the next upload."""
    _use_version("dataset", name, version)


@models_app.command("delete")
def delete_model(name: str, version: int) -> None:
    """Delete model NAME at VERSION (refused while an endpoint or a training uses it)."""
    _delete_version("model", name, version)


@datasets_app.command("delete")
def delete_dataset(name: str, version: int) -> None:
    """Delete dataset NAME at VERSION (refused while a training, or an endpoint trained on it, uses it)."""
    _delete_version("dataset", name, version)


def _delete_version(what: str, name: str, version: int) -> None:
    from flows.delete import delete_flow

    try:
        delete_flow(what, name, version)
    except Exception as exc:
        raise _fail(exc) from exc
    console.print(f"deleted {what} {name} v{version}", markup=False)


def _use_version(what: str, name: str, version: int) -> None:
    from sskai.store.metadata import Dataset, Model

    stores = _stores()
    kind = Model if what == "model" else Dataset
    try:
        stores.metadata.use_version(kind, stores.settings.owner, name, version)
    except Exception as exc:
        raise _fail(exc) from exc
    console.print(f"{what} {name} now resolves to v{version}", markup=False)


@app.command()
def profile(model: str, timeout_seconds: float = 300.0) -> None:
    """Measure a stored model (in a separate process)."""
    from flows.profile import profile_flow
    from sskai.profiling.service import stored_metrics
    from sskai.reports import profile_section
    from sskai.store.metadata import Profile

    profile_id = _run(lambda: profile_flow(model, timeout_seconds=timeout_seconds), ("profile",))
    metrics = stored_metrics(_stores().metadata.get(Profile, profile_id))
    print_sections(console, [profile_section(metrics, f"Profile of {model}")])


@app.command()
@options_from(Workload, on_invalid=_fail)
def recommend(model: str, config: Workload) -> None:
    """Where to serve and train a profiled model, and why."""
    from flows.recommend import recommend_flow
    from sskai.recommend import Recommendation
    from sskai.reports import recommendation_sections
    from sskai.store.metadata import Recommendation as RecommendationRecord

    record_id = _run(lambda: recommend_flow(model, workload=config), ("recommend",))
    record = _stores().metadata.get(RecommendationRecord, record_id)
    print_sections(
        console, recommendation_sections(Recommendation.from_stored(record.plan, f"recommendation {record_id}"))
    )


@app.command()
def risk(
    instance_type: Annotated[list[str] | None, typer.Option(help="Only these instance types.")] = None,
    region: Annotated[list[str] | None, typer.Option(help="Only these regions.")] = None,
) -> None:
    """Each spot pool's calibrated interruption rate, availability and wait, and the calibration error."""
    from sskai.pricing import current_catalog
    from sskai.reports import risk_sections

    catalog = current_catalog(_stores())
    print_sections(console, risk_sections(catalog, tuple(instance_type or ()) or None, tuple(region or ()) or None))


@app.command()
@options_from(TrainingConfig, on_invalid=_fail)
def train(
    config: TrainingConfig,
    model: Annotated[str | None, typer.Argument(help="Stored model name.")] = None,
    dataset: Annotated[str | None, typer.Argument(help="Stored dataset name.")] = None,
    resume: Annotated[
        str | None, typer.Option(help="Continue this interrupted training (its id) from its newest checkpoint.")
    ] = None,
    simulate_spot: SimulateSpotOption = None,
    time_scale: TimeScaleOption = 60.0,
) -> None:
    """Train a stored model on a stored dataset on the local Ray cluster, or resume an interrupted training."""
    from flows.train import resume_training_flow, train_flow
    from sskai.store.metadata import Training

    simulation = _spot_simulation(simulate_spot, time_scale)
    if resume:
        training_id = _run(lambda: resume_training_flow(resume, spot_simulation=simulation), ("train",))
    elif model and dataset:
        training_id = _run(lambda: train_flow(model, dataset, config=config, spot_simulation=simulation), ("train",))
    else:
        raise _fail(ValueError("name a MODEL and a DATASET to train, or --resume TRAINING_ID"))
    from sskai.reports import training_cost_section
    from sskai.training.summary import training_summary

    stores = _stores()
    record = stores.metadata.get(Training, training_id)
    console.print(f"training {training_id} {record.status}: {record.metrics}")
    print_sections(console, [training_cost_section(training_summary(stores, training_id))])


@app.command()
def deploy(
    endpoint: str,
    model: str,
    training: Annotated[str | None, typer.Option(help="Training id")] = None,
    force: Annotated[bool, typer.Option(help="Deploy even if the model's newest profile failed.")] = False,
) -> None:
    """Serve a model (with a training's weights) as an HTTP endpoint."""
    from flows.deploy import deploy_flow

    result = _run(lambda: deploy_flow(endpoint, model, training_id=training, force=force), ("deploy",))
    console.print(f"endpoint {endpoint} at [bold]{result['url']}[/]; API key (shown once): {result['api_key']}")


@app.command()
def predict(
    endpoint: str,
    api_key: Annotated[str, typer.Option(envvar="SSKAI_API_KEY", help="The endpoint's API key.")],
    inputs: Annotated[str, typer.Option(help="A .npy file, or a JSON array.")],
) -> None:
    """Send one request to an endpoint and print the answer."""
    from sskai.errors import SskaiError
    from sskai.kinds import Status
    from sskai.serving.client import predict as call
    from sskai.store.metadata import Endpoint

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
    from sskai.kinds import Status
    from sskai.serving.service import stop_stored_endpoint
    from sskai.serving.targets import target_of
    from sskai.store.metadata import Endpoint

    stores = _stores()
    # A ready endpoint, and one marked failed (or left starting) whose process still runs: stop means gone.
    running = [
        record
        for record in stores.metadata.list(Endpoint, owner=stores.settings.owner, name=name)
        if record.status in (Status.READY, Status.RESTARTING)
        or (record.status in (Status.FAILED, Status.PENDING) and target_of(record).is_alive(record))
    ]
    if not running:
        raise _fail(ValueError(f"no running endpoint named {name!r}"))
    monitor_flow()
    for record in running:
        stop_stored_endpoint(stores, record.id)
    console.print(f"stopped {len(running)} endpoint(s) named {name}")


PrefectPortOption = Annotated[int, typer.Option(help="Port of the Prefect server (its UI and API).")]
DashboardPortOption = Annotated[int, typer.Option(help="Port of the dashboard.")]


@app.command()
def up(prefect_port: PrefectPortOption = 4200, dashboard_port: DashboardPortOption = 8501) -> None:
    """Bring the local platform up: a Prefect server, a worker for every deployment, the dashboard, a supervisor."""
    from deployments.local_platform import LocalPlatform, PlatformError, Ports

    platform = LocalPlatform(_stores().settings, Ports(prefect=prefect_port, dashboard=dashboard_port))
    try:
        services = platform.up()
    except PlatformError as exc:
        raise _fail(exc) from exc
    for service in services.values():
        console.print(f"{service.name:15} {service.url}  (pid {service.pid})", markup=False)
    console.print("stop it with `sskai down`", markup=False)


@app.command()
def down() -> None:
    """Stop the local platform (its services, their flow runs, and the local endpoints)."""
    from deployments.local_platform import LocalPlatform

    ended = LocalPlatform(_stores().settings).down()
    console.print(f"stopped: {', '.join(ended)}" if ended else "nothing was running", markup=False)


@app.command()
def status() -> None:
    """Say which services of the local platform run, and where."""
    from deployments.local_platform import LocalPlatform

    for name, running, url, pid in LocalPlatform(_stores().settings).status():
        state = f"running  {url}  (pid {pid})" if running else "stopped"
        console.print(f"{name:15} {state}", markup=False)


@app.command()
def costs(by: Annotated[LedgerGrouping, typer.Option(help="Roll up per day, month or resource kind.")] = "day") -> None:
    """The cost ledger rolled up: what was paid, what it replaced, the saving."""
    from sskai.ledger import cost_frame, ledger_rows

    _print_costs(ledger_rows(cost_frame(_stores()), by), by)


@budget_app.callback(invoke_without_command=True)
def budget_show(context: typer.Context) -> None:
    """This month's spend, its projection, the budget, and the alerts raised."""
    if context.invoked_subcommand:
        return
    from sskai.budgets import describe_alert, projection
    from sskai.store.metadata import BudgetAlert

    stores = _stores()
    console.print(projection(stores, stores.settings.owner).describe(), markup=False, soft_wrap=True)
    for alert in stores.metadata.list(BudgetAlert, owner=stores.settings.owner):
        console.print(f"alert, {describe_alert(alert)}", markup=False, soft_wrap=True)


@budget_app.command("set")
def budget_set(monthly_usd: Annotated[float, typer.Argument(help="USD a month.")]) -> None:
    """Set (or change) your monthly budget."""
    from sskai.budgets import set_budget

    stores = _stores()
    try:
        set_budget(stores, stores.settings.owner, monthly_usd)
    except ValueError as exc:
        raise _fail(exc) from exc
    console.print(f"monthly budget of {stores.settings.owner}: ${monthly_usd:,.2f}", markup=False)


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
    _print_costs(result["costs"], LedgerGrouping.KIND)


@app.command()
def elect(
    election: Annotated[
        str | None, typer.Option(help="sskai (expected cost, the default) or baseline (Algorithm 1)")
    ] = None,
    work_flops: Annotated[float, typer.Option(help="Total training FLOPs of the job.")] = 1e18,
    min_memory_gib: Annotated[float, typer.Option(help="Accelerator memory one device needs.")] = 16.0,
    checkpoint_interval_seconds: float = 600.0,
    region: Annotated[list[str] | None, typer.Option(help="Allowed regions (repeat); default all.")] = None,
    top: int = 3,
) -> None:
    """Run an instance election on the current catalog and show every number that decided it."""
    from sskai.election import Job
    from sskai.election import elect as run_election
    from sskai.errors import SskaiError
    from sskai.pricing import current_catalog

    job = Job(
        name="cli",
        work_flops=work_flops,
        min_accelerator_memory_gib=min_memory_gib,
        checkpoint_interval_seconds=checkpoint_interval_seconds,
        regions=tuple(region) if region else None,
        top_k=top,
    )
    try:
        result = run_election(election, job, current_catalog(_stores()))
    except SskaiError as exc:
        raise _fail(exc) from exc
    table = Table(title=f"{result.election} election: {result.considered} offers considered")
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
