"""The ``sskai`` command: every pipeline stage from the terminal, with progress bars on long work.

Commands run the same Prefect flows the UI and schedules run (against PREFECT_API_URL when set,
else a temporary local server), and read the same stores.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sskai.kinds import LedgerGrouping
from sskai.localcloud.simulation import GROUPS, TRACES, SpotSimulation
from sskai.plans import Workload
from sskai.training.config import TrainingConfig
from ui.options import options_from, validation_reason
from ui.render import print_sections

if TYPE_CHECKING:
    from sskai.costs.ledger import LedgerRow

# Rich's option table leaves a narrow terminal a sliver for the help text; there, click's plain layout reads better.
HELP_LAYOUT = "rich" if shutil.get_terminal_size().columns >= 100 else None


def _commands(help: str, **options: Any) -> typer.Typer:
    return typer.Typer(help=help, rich_markup_mode=HELP_LAYOUT, **options)


app = _commands("sskai: train and serve models on the cheapest compute that fits.", no_args_is_help=True)
upload_app = _commands("Store a model or dataset zip.", no_args_is_help=True)
endpoints_app = _commands("List and stop endpoints.", no_args_is_help=True)
models_app = _commands("Choose which stored version a model name resolves to.", no_args_is_help=True)
datasets_app = _commands("Choose which stored version a dataset name resolves to.", no_args_is_help=True)
app.add_typer(upload_app, name="upload")
app.add_typer(endpoints_app, name="endpoints")
app.add_typer(models_app, name="models")
budget_app = _commands("A monthly budget: the monitor alerts when the month's projection crosses it.")
app.add_typer(datasets_app, name="datasets")
app.add_typer(budget_app, name="budget")
trainings_app = _commands("List trainings and show one (ids may be shortened).", no_args_is_help=True)
app.add_typer(trainings_app, name="trainings")
console = Console()


@app.callback()
def _quiet(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False) -> None:
    """Keep Prefect's logs out of the terminal unless asked for: the CLI shows progress and one line per failure.

    They still reach the Prefect server, where each run's page shows them.
    """
    global console
    console = Console()  # per command: the terminal's width as it is now
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A temporary Prefect server on a busy machine can take longer than Prefect's 20 s to answer.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


def _stores() -> Any:
    from tasks.common import stores

    return stores()


def _fail(exc: Exception) -> typer.Exit:
    reason = validation_reason(exc) if isinstance(exc, ValidationError) else str(exc)
    console.print(f"[bold red]error:[/] {escape(reason)}", soft_wrap=True)
    return typer.Exit(code=1)


def _show_key(heading: str, key: str) -> None:
    """The key alone on its line and never wrapped by us: copied from a narrow terminal, it comes whole."""
    console.print(f"{heading} (shown once, keep it):", soft_wrap=True)
    console.print(key, soft_wrap=True, highlight=False, markup=False)


def _run(work: Any, stages: tuple[str, ...]) -> Any:
    """Run a flow with progress bars, on the Prefect server of `sskai up` when it runs (so the run shows in
    its UI and the dashboard), else on a temporary one, and say which. Every failure is one line."""
    from sskai.errors import SskaiError
    from ui.progress import run_with_progress

    try:
        with _prefect_server():
            return run_with_progress(work, _stores(), console, stages)
    except (SskaiError, ValueError) as exc:
        raise _fail(exc) from exc
    except Exception as exc:  # not ours to explain in full: one line here, the traceback in the log
        raise _unexpected(exc) from exc


@contextlib.contextmanager
def _prefect_server() -> Iterator[None]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from deployments.local_platform import LocalPlatform

    if PREFECT_API_URL.value():  # a server this shell (or a test, or a worker) already names
        yield
        return
    running = {name: url for name, up, url, _ in LocalPlatform(_stores().settings).status() if up}
    if "prefect-server" in running:
        console.print(f"on the Prefect server of `sskai up`: {running['prefect-server']}", markup=False)
        with temporary_settings(updates={PREFECT_API_URL: f"{running['prefect-server']}/api"}):
            yield
        return
    console.print("starting a temporary Prefect server (about 10 s; `sskai up` keeps one running)", markup=False)
    yield


def _unexpected(exc: Exception) -> typer.Exit:
    """One line for an error sskai did not foresee; the traceback goes to the CLI's log for a bug report."""
    log = _stores().settings.home / "logs" / "cli.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"--- {datetime.now(UTC).isoformat()}\n{''.join(traceback.format_exception(exc))}\n")
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "ephemeral Prefect API server" in message:
        message += "; start a Prefect server that stays up with `sskai up` and run the command again"
    console.print(f"[bold red]error:[/] {escape(message)} (the traceback is in {escape(str(log))})", soft_wrap=True)
    return typer.Exit(code=1)


SimulateSpotOption = Annotated[
    str | None,
    typer.Option(
        help="Play spot capacity against the local cluster as a cloud would, for the training's spot policy: "
        "'rates' (each candidate pool's calibrated interruption rate), a real trace group "
        f"({', '.join(GROUPS)}) or one of their traces (v100-<zone> for the nine V100 zones, p3-cluster, "
        "g4dn-cluster, ...)."
    ),
]
TraceStartOption = Annotated[
    str | None,
    typer.Option(
        help="With a trace: where in it to start, in seconds, or 'busiest' (where the first pool loses the "
        "job most often in the next hour: a demonstration meets notices and replacements at once)."
    ),
]
TimeScaleOption = Annotated[
    float, typer.Option(min=0.001, help="Real-world seconds per simulated second (notices, delays, traces).")
]


def _spot_simulation(
    simulate_spot: str | None, time_scale: float, trace_start: str | None = None, gang: int = 2
) -> SpotSimulation | None:
    if not simulate_spot:
        if trace_start:
            raise _fail(ValueError("--trace-start needs --simulate-spot with a trace"))
        return None
    if simulate_spot != "rates" and simulate_spot not in TRACES:
        raise _fail(ValueError(f"--simulate-spot: choose 'rates' or one of {', '.join(TRACES)}"))
    if simulate_spot == "rates":
        if trace_start:
            raise _fail(ValueError("--trace-start is for a trace; 'rates' draws its own losses"))
        return SpotSimulation(source="rates", time_scale=time_scale)
    simulation = SpotSimulation(source="trace", time_scale=time_scale, trace=simulate_spot)
    if not trace_start:
        return simulation
    from sskai.errors import SskaiError

    if trace_start == "busiest":
        from sskai.catalog import load_catalog
        from sskai.localcloud.simulation import busiest_start_seconds

        world = simulation.script((), gang, load_catalog(), gang).world
        start = busiest_start_seconds(world, gang, hours=1.0)
    else:
        try:
            start = float(trace_start)
        except ValueError:
            raise _fail(
                ValueError(f"--trace-start: seconds into the trace, or 'busiest'; not {trace_start!r}")
            ) from None
    try:
        simulation = simulation.model_copy(update={"trace_start_seconds": start})
        from sskai.catalog import load_catalog

        simulation.script((), gang, load_catalog(), gang)  # refused here, with the trace's length, if past its end
    except (ValidationError, SskaiError) as exc:
        raise _fail(exc) from exc
    return simulation


@app.command()
def demo(
    example: Annotated[str, typer.Option(help="Example to run: mlp, cnn or gpt.")] = "mlp",
    keep_endpoint: Annotated[bool, typer.Option(help="Leave the endpoint running afterwards.")] = True,
    simulate_spot: SimulateSpotOption = None,
    time_scale: TimeScaleOption = 60.0,
    trace_start: TraceStartOption = None,
) -> None:
    """Run the whole pipeline on a shipped example and end with a live endpoint and the cost summary."""
    from flows.pipeline import pipeline_flow

    simulation = _spot_simulation(simulate_spot, time_scale, trace_start)
    summary = _run(
        lambda: pipeline_flow(example=example, spot_simulation=simulation),
        ("upload", "profile", "recommend", "train", "deploy"),
    )
    _print_summary(summary)
    if not keep_endpoint:
        from sskai.serving.service import stop_stored_endpoint

        stop_stored_endpoint(_stores(), summary.endpoint.endpoint_id, reason="demo finished")
        console.print("endpoint stopped")


def _print_summary(summary: Any) -> None:
    """A ``PipelineSummary``: what the demo trained, where it serves, how to call it, what it cost."""
    from sskai.serving.keys import collect

    endpoint = summary.endpoint
    settings = _stores().settings
    key = collect(settings, settings.owner, endpoint.name) or endpoint.api_key.get_secret_value()
    console.rule(f"[bold]{summary.model} trained and serving")
    metrics = summary.training_metrics
    console.print(
        "training: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
    )
    console.print(f"endpoint: [bold]{endpoint.url}[/]")
    _show_key("API key", key)
    if summary.sample_outputs is not None:
        console.print(f"sample request answered: {json.dumps(summary.sample_outputs)[:200]}")
    console.print(
        f"call it:  curl -s -X POST {endpoint.url}/v1/predict -H 'authorization: Bearer "
        f"{key}' -H 'content-type: application/json' -d '{{\"inputs\": [...]}}'"
    )
    _print_costs(summary.costs, LedgerGrouping.KIND)
    from sskai.reports import training_cost_section
    from sskai.training.summary import training_summary

    print_sections(console, [training_cost_section(training_summary(_stores(), summary.training_id))])


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
    from sskai.bundles.spec import InputDeclaration

    try:
        declared = InputDeclaration(
            input_shape=input_shape, input_dtype=input_dtype, value_range=value_range, task=task
        )
    except ValidationError as exc:
        raise _fail(exc) from exc
    result = _run(lambda: upload_flow(model_name=name, model_zip=str(archive), model_declaration=declared), ("upload",))
    _print_upload_note("model", result.model_id)


@upload_app.command("dataset")
def upload_dataset(name: str, archive: Path) -> None:
    """Store a dataset zip (loader.py, or x.npy/y.npy, or a CSV declared in sskai.json)."""
    from flows.upload import upload_flow

    result = _run(lambda: upload_flow(dataset_name=name, dataset_zip=str(archive)), ("upload",))
    _print_upload_note("dataset", result.dataset_id)


def _print_upload_note(what: str, record_id: str) -> None:
    from sskai.bundles.upload import upload_note
    from sskai.store.metadata import Dataset, Model

    stores = _stores()
    record = stores.metadata.get(Model if what == "model" else Dataset, record_id)
    console.print(upload_note(stores, record), markup=False)
    console.print(f"{what} id: {record_id}", markup=False)


@models_app.command("list")
def list_models() -> None:
    """Every stored model of yours, every version."""
    from sskai.reports import bundles_section
    from sskai.store.metadata import Model

    stores = _stores()
    print_sections(console, [bundles_section("Models", stores.metadata.list(Model, owner=stores.settings.owner))])


@datasets_app.command("list")
def list_datasets() -> None:
    """Every stored dataset of yours, every version."""
    from sskai.reports import bundles_section
    from sskai.store.metadata import Dataset

    stores = _stores()
    print_sections(console, [bundles_section("Datasets", stores.metadata.list(Dataset, owner=stores.settings.owner))])


@app.command()
def logs(
    resource: Annotated[str, typer.Argument(help="A training's or an endpoint's id (or its first characters).")],
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines until it ends.")] = False,
) -> None:
    """What happened to a training (its log, nodes, notices, checkpoints, decisions) or an endpoint, in order."""
    import time

    from sskai.errors import NotFound
    from sskai.kinds import Status
    from sskai.store.activity import activity
    from sskai.store.metadata import Endpoint, Training

    stores = _stores()
    found = []
    for kind in (Training, Endpoint):
        try:
            found.append(stores.metadata.find(kind, resource, owner=stores.settings.owner))
        except NotFound:
            continue
    if len(found) != 1:
        what = "no training or endpoint" if not found else "both a training and an endpoint"
        raise _fail(NotFound(f"{what} of yours has an id starting {resource!r} (see `sskai trainings list`)"))
    record, shown = found[0], 0
    while True:
        lines = activity(stores.metadata, record)
        for line in lines[shown:]:
            console.print(line.render(), markup=False, highlight=False)
        shown = len(lines)
        record = stores.metadata.get(type(record), record.id)
        if not follow or Status(record.status).is_terminal:
            return
        time.sleep(1.0)


@trainings_app.command("list")
def list_trainings() -> None:
    """Every training of yours: its state, progress and where it ran."""
    from sskai.reports import trainings_section
    from sskai.store.metadata import Training

    stores = _stores()
    print_sections(console, [trainings_section(stores.metadata.list(Training, owner=stores.settings.owner))])


@trainings_app.command("show")
def show_training(training: Annotated[str, typer.Argument(help="Its id, or the first characters of it.")]) -> None:
    """One training: its state, its loss per epoch, its cost, and what the spot policy decided and why."""
    from sskai.errors import SskaiError
    from sskai.reports import training_cost_section, trainings_section
    from sskai.store.metadata import Training
    from sskai.training.summary import training_summary

    stores = _stores()
    try:
        record = stores.metadata.find(Training, training, owner=stores.settings.owner)
    except SskaiError as exc:
        raise _fail(exc) from exc
    print_sections(console, [trainings_section([record]), training_cost_section(training_summary(stores, record.id))])
    for epoch in record.history or []:
        console.print(
            "epoch {epoch}: train loss {train_loss:.4g}, validation loss {val_loss:.4g}".format(
                epoch=epoch.get("epoch", "?"),
                train_loss=epoch.get("train_loss", float("nan")),
                val_loss=epoch.get("val_loss", float("nan")),
            ),
            markup=False,
        )


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
    from sskai.plans import Recommendation
    from sskai.reports import recommendation_sections
    from sskai.store.metadata import RecommendationRecord

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
    from sskai.catalog.versions import current_catalog
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
    trace_start: TraceStartOption = None,
) -> None:
    """Train a stored model on a stored dataset on the local Ray cluster, or resume an interrupted training."""
    from flows.train import resume_training_flow, train_flow
    from sskai.store.metadata import Training

    simulation = _spot_simulation(simulate_spot, time_scale, trace_start, config.min_workers or config.num_workers)
    if resume:
        from sskai.errors import SskaiError

        try:
            resume = _stores().metadata.find(Training, resume, owner=_stores().settings.owner).id
        except SskaiError as exc:
            raise _fail(exc) from exc
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
    from sskai.serving.keys import collect

    result = _run(lambda: deploy_flow(endpoint, model, training_id=training, force=force), ("deploy",))
    # The key left for its owner, read once; a flow run by a worker returns it masked.
    key = collect(_stores().settings, _stores().settings.owner, endpoint) or result.api_key.get_secret_value()
    console.print(f"endpoint {endpoint} at [bold]{result.url}[/]")
    _show_key("API key", key)


@app.command()
def predict(
    endpoint: str,
    api_key: Annotated[str, typer.Option(envvar="SSKAI_API_KEY", help="The endpoint's API key.")],
    inputs: Annotated[str, typer.Option(help="A .npy or .json file, or a JSON array.")],
) -> None:
    """Send one request to an endpoint and print the answer."""
    from sskai.errors import SskaiError
    from sskai.kinds import Status
    from sskai.serving.client import predict as call
    from sskai.store.metadata import Endpoint

    array = _read_inputs(inputs)
    record = _stores().metadata.latest(Endpoint, owner=_stores().settings.owner, name=endpoint, status=Status.READY)
    if record is None:
        raise _fail(ValueError(f"no running endpoint named {endpoint!r}"))
    try:
        console.print(json.dumps(call(record.url, api_key, array).tolist()))
    except SskaiError as exc:
        raise _fail(exc) from exc


def _read_inputs(inputs: str) -> np.ndarray:
    """A request's inputs from a .npy file, a .json file (an array, or {"inputs": array}) or inline JSON."""
    path = Path(inputs)
    if inputs.endswith((".npy", ".json")) and not path.is_file():
        raise _fail(ValueError(f"--inputs: no file {inputs}"))
    if inputs.endswith(".npy"):
        try:
            return np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise _fail(ValueError(f"--inputs: {inputs} is not a .npy array of numbers ({exc})")) from None
    text = path.read_text() if inputs.endswith(".json") else inputs
    try:
        found = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(ValueError(f"--inputs: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")) from None
    if isinstance(found, dict):
        found = found.get("inputs")
    try:
        array = np.asarray(found, dtype=np.float32)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim == 0:
        raise _fail(ValueError("--inputs: give an array of numbers, e.g. [[0.1, 0.2, 0.3, 0.4]]"))
    return array


@endpoints_app.command("list")
def list_endpoints() -> None:
    """Every endpoint of yours: its state, where it serves and why it stopped."""
    from sskai.reports import endpoints_section
    from sskai.store.metadata import Endpoint

    print_sections(console, [endpoints_section(_stores().metadata.list(Endpoint, owner=_stores().settings.owner))])


@endpoints_app.command("key")
def endpoint_key(name: str) -> None:
    """Print, once, the API key a deploy left for you (one run by `sskai up`, the pipeline or the dashboard)."""
    from sskai.errors import EndpointError
    from sskai.serving.keys import collect

    stores = _stores()
    key = collect(stores.settings, stores.settings.owner, name)
    if key is None:
        reason = f"no API key is waiting for endpoint {name}: it was shown already; get a new one with "
        raise _fail(EndpointError(reason + f"`sskai endpoints rotate-key {name}`"))
    _show_key(f"API key of endpoint {name}", key)


@endpoints_app.command("rotate-key")
def rotate_endpoint_key(name: str) -> None:
    """Give a serving endpoint a new API key (printed once); the old key stops working."""
    from sskai.errors import EndpointError
    from sskai.kinds import Status
    from sskai.serving.service import rotate_key
    from sskai.store.metadata import Endpoint

    stores = _stores()
    serving = [
        e for e in stores.metadata.list(Endpoint, owner=stores.settings.owner, name=name) if Status(e.status).is_serving
    ]
    if not serving:
        raise _fail(EndpointError(f"no serving endpoint named {name} (see `sskai endpoints list`)"))
    try:
        key = rotate_key(stores, serving[-1])
    except EndpointError as exc:
        raise _fail(exc) from exc
    _show_key(f"endpoint {name}: new API key", key)
    console.print("the old key no longer works")


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
        if Status(record.status).is_serving
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
    from sskai.costs.ledger import cost_frame, ledger_rows

    _print_costs(ledger_rows(cost_frame(_stores()), by), by)


@budget_app.callback(invoke_without_command=True)
def budget_show(context: typer.Context) -> None:
    """This month's spend, its projection, the budget, and the alerts raised."""
    if context.invoked_subcommand:
        return
    from sskai.costs.budgets import describe_alert, projection
    from sskai.store.metadata import BudgetAlert

    stores = _stores()
    console.print(projection(stores, stores.settings.owner).describe(), markup=False, soft_wrap=True)
    for alert in stores.metadata.list(BudgetAlert, owner=stores.settings.owner):
        console.print(f"alert, {describe_alert(alert)}", markup=False, soft_wrap=True)


@budget_app.command("set")
def budget_set(monthly_usd: Annotated[float, typer.Argument(help="USD a month.")]) -> None:
    """Set (or change) your monthly budget."""
    from sskai.costs.budgets import set_budget

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
    for reading in result.endpoints:
        counted = reading.counters.model_dump(exclude_none=True) if reading.counters else {}
        state = "up" if reading.alive else f"DOWN ({reading.error})"
        console.print(f"{reading.name}: {state} {counted}", markup=False)
    _print_costs(result.costs, LedgerGrouping.KIND)


@app.command()
def elect(
    election: Annotated[
        str | None, typer.Option(help="sskai (expected cost, the default) or algorithm1 (SSKAI's Algorithm 1)")
    ] = None,
    work_flops: Annotated[float, typer.Option(help="Total training FLOPs of the job.")] = 1e18,
    min_memory_gib: Annotated[float, typer.Option(help="Accelerator memory one device needs.")] = 16.0,
    checkpoint_interval_seconds: float = 600.0,
    region: Annotated[list[str] | None, typer.Option(help="Allowed regions (repeat); default all.")] = None,
    top: int = 3,
) -> None:
    """Run an instance election on the current catalog and show every number that decided it."""
    from sskai.catalog.versions import current_catalog
    from sskai.election import Job
    from sskai.election import elect as run_election
    from sskai.errors import SskaiError

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
    state = "rewritten" if result.changed else "unchanged (same answer)"
    console.print(f"NodePools {state}: {result.path}")
    for pool, change in result.diff.items():
        console.print(f"  {pool}: +{change['added']} -{change['removed']}")


@app.command("kuberay-manifests")
def kuberay_manifests(
    out: Annotated[Path, typer.Option(help="Folder to write the manifests into.")] = Path("infra/kuberay"),
) -> None:
    """Write the reference training's KubeRay manifests (RayCluster, RayJob, spot agent DaemonSet) for review."""
    from sskai.catalog import load_catalog
    from ui.kuberay_manifests import write

    for path in write(out, load_catalog()):
        console.print(f"wrote {path}")


@app.command("serving-manifests")
def serving_manifests(
    out: Annotated[Path, typer.Option(help="Folder to write the manifests into.")] = Path("infra/serving"),
) -> None:
    """Write a reference replicated endpoint's manifests (a Deployment per spot pool, the on-demand floor, Service)."""
    from sskai.catalog import load_catalog
    from ui.serving_manifests import write

    console.print(f"wrote {write(out, load_catalog())}")


@app.command()
def examples(directory: Annotated[Path, typer.Argument(help="Folder to write into.")] = Path("examples")) -> None:
    """Write the example bundles (model and dataset zips) into a folder."""
    from sskai.examples import EXAMPLES, build_example

    for name, example in EXAMPLES.items():
        model_zip, data_zip = build_example(name, directory)
        console.print(f"{name}: {model_zip}, {data_zip}  ({example.summary})")


if __name__ == "__main__":
    app()
