"""The sskai dashboard: what was spent and saved, what is stored, what trained, what serves.

Run with ``streamlit run ui/dashboard.py``. It only reads the stores and calls endpoints over
HTTP; it never imports or runs user code.
"""

from __future__ import annotations

import json
import uuid

import altair as alt
import httpx
import pandas as pd
import streamlit as st

from sskai.bundles.spec import dataset_spec, model_spec
from sskai.catalog.versions import current_catalog
from sskai.costs.budgets import describe_alert, projection
from sskai.costs.ledger import cost_frame, cumulative_costs, ledger_rows
from sskai.costs.money import dollars
from sskai.errors import NotFound, StoredRecordInvalid
from sskai.kinds import LedgerGrouping, LogLevel, Status
from sskai.plans import Recommendation
from sskai.profiling.metrics import ProfileMetrics
from sskai.reports import (
    Section,
    Table,
    endpoints_section,
    ledger_section,
    profile_section,
    recommendation_sections,
    risk_sections,
    training_cost_section,
    trainings_section,
)
from sskai.serving.fleet import LOST_WITH
from sskai.serving.health import check_health
from sskai.serving.keys import collect
from sskai.serving.samples import sample_frame
from sskai.serving.service import stop_stored_endpoint
from sskai.store.metadata import (
    BudgetAlert,
    Dataset,
    Endpoint,
    LogEntry,
    Model,
    Profile,
    RecommendationRecord,
    Training,
)
from sskai.training.config import TrainingConfig
from sskai.training.summary import training_summary
from sskai.training.timeline import timeline_frames, training_events
from tasks.common import stores as open_stores
from ui.prefect_actions import PrefectUnavailable, recent_flow_runs, run_to_the_end, start_deployment

PAGES = ("Dashboard", "Data", "Models", "Train", "Inference")


def show_sections(sections: list[Section] | tuple[Section, ...]) -> None:
    """The Streamlit layout of the domain's report sections (the CLI and Prefect lay out the same ones)."""
    for section in sections:
        st.subheader(section.title)
        if section.note:
            st.caption(section.note)
        if section.lines:
            st.markdown("\n".join(f"- {line}" for line in section.lines))
        show_table(section.table)


def show_table(table: Table | None) -> None:
    if table is not None:
        st.dataframe(pd.DataFrame(table.records()), hide_index=True)


def flow_runs_section() -> None:
    st.subheader("Recent flow runs")
    try:
        runs = recent_flow_runs()
    except PrefectUnavailable as exc:
        st.warning(str(exc))
        return
    if runs.empty:
        st.info("No flow runs yet.")
    else:
        st.dataframe(runs, hide_index=True)


def budget_section(stores, costs: pd.DataFrame) -> None:
    """This month to date, the projection against the budget, and the alerts raised."""
    current = projection(stores, stores.settings.owner, costs=costs)
    st.subheader(f"Budget, {current.month}")
    left, middle, right = st.columns(3)
    left.metric("Month to date", dollars(current.spent_usd))
    middle.metric("Projected for the month", dollars(current.projected_usd))
    right.metric("Budget", "none" if current.budget_usd is None else dollars(current.budget_usd))
    if current.over:
        st.error(f"Over budget: {current.describe()}")
    alerts = stores.metadata.list(BudgetAlert, owner=stores.settings.owner)
    for alert in alerts:
        st.warning(f"Budget alert, {describe_alert(alert)}")


def dashboard_page(stores) -> None:
    st.header("Spend and savings")
    frame = cost_frame(stores)
    budget_section(stores, frame)
    flow_runs_section()
    if frame.empty:
        st.info("No cost records yet. Run `sskai demo` (or the pipeline flow) to train and serve a model.")
        return
    paid, ondemand = frame["paid_usd"].sum(), frame["alternative_usd"].sum()
    managed = frame["managed_usd"].dropna().sum()
    saving_pct = 100.0 * (ondemand - paid) / ondemand if ondemand > 0 else 0.0
    left, middle, right, far = st.columns(4)
    left.metric("Paid", dollars(paid))
    middle.metric("On demand would have cost", dollars(ondemand))
    right.metric("Saved vs on demand", f"{saving_pct:.1f}%", dollars(ondemand - paid))
    far.metric("SageMaker would have cost", dollars(managed))
    if frame["simulated"].any():
        st.caption("Simulated metering: seconds measured on this machine, priced at catalog spot and on-demand prices.")
    st.subheader("Cumulative cost over time")
    cumulative, time_format = cumulative_costs(frame)
    st.altair_chart(
        alt.Chart(cumulative)
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("time:T", title=None, axis=alt.Axis(format=time_format)),
            y=alt.Y("usd:Q", title="USD, cumulative"),
            color=alt.Color("series:N", title=None),
            tooltip=["time:T", "series:N", alt.Tooltip("usd:Q", format=".6f")],
        ),
        width="stretch",
    )
    st.subheader("By resource")
    by_kind = ledger_rows(frame, LedgerGrouping.KIND)
    bars = pd.DataFrame(
        [{"kind": r.group, "series": "paid", "usd": r.paid_usd} for r in by_kind]
        + [{"kind": r.group, "series": "instead", "usd": r.instead_usd} for r in by_kind]
    )
    chart = (
        alt.Chart(bars)
        .mark_bar()
        .encode(x=alt.X("kind:N", axis=alt.Axis(labelAngle=0)), xOffset="series:N", y="usd:Q", color="series:N")
    )
    st.altair_chart(chart, width="stretch")
    show_sections(
        [
            ledger_section(by_kind, LedgerGrouping.KIND),
            ledger_section(ledger_rows(frame, LedgerGrouping.RESOURCE), LedgerGrouping.RESOURCE),
            ledger_section(ledger_rows(frame, LedgerGrouping.DAY), LedgerGrouping.DAY),
            ledger_section(ledger_rows(frame, LedgerGrouping.MONTH), LedgerGrouping.MONTH),
        ]
    )


def data_page(stores) -> None:
    st.header("Datasets")
    datasets = stores.metadata.list(Dataset, owner=stores.settings.owner)
    rows = [
        {
            "name": d.name,
            "version": d.version,
            "status": "deleted" if d.status == Status.STOPPED else d.status,
            "layout": dataset_spec(d).layout,
            "samples": dataset_spec(d).num_samples,
            "bytes": d.size_bytes,
            "sha256": d.content_sha256[:12],
            "uploaded": d.created_at,
        }
        for d in datasets
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    else:
        st.info("No datasets yet.")
    upload_form(stores, "dataset")
    stored = [d for d in datasets if d.status == Status.READY]
    if stored:
        delete_form("dataset", [(d.name, d.version) for d in reversed(stored)])


def upload_form(stores, kind: str) -> None:
    """Upload a zip through the platform's ``upload`` deployment; this process only stores the bytes it was sent."""
    with st.expander(f"Upload a {kind}", expanded=False), st.form(f"upload-{kind}"):
        name = st.text_input("Name")
        archive = st.file_uploader(f"{kind.capitalize()} zip", type=["zip"])
        declaration = model_declaration_fields() if kind == "model" else None
        if st.form_submit_button(f"Store the {kind}"):
            if not (name and archive):
                st.error("give a name and a zip file")
                return
            incoming = stores.settings.home / "incoming"
            incoming.mkdir(parents=True, exist_ok=True)
            path = incoming / f"{uuid.uuid4().hex}.zip"
            path.write_bytes(archive.getvalue())
            parameters = {f"{kind}_name": name, f"{kind}_zip": str(path)}
            if declaration:
                parameters["model_declaration"] = declaration
            try:
                run = start_deployment("upload/upload", parameters)
            except PrefectUnavailable as exc:
                st.error(str(exc))
            else:
                st.success(f"upload started: flow run {run} (its state is under Recent flow runs)")


def model_declaration_fields() -> dict | None:
    """The input declaration, for a zip without an sskai.json (left empty: the zip's own is used)."""
    left, middle, right = st.columns(3)
    shape = left.text_input("Input shape of one sample", placeholder="3,32,32")
    dtype = middle.selectbox("Input dtype", ["", "float32", "float16", "int64", "int32", "uint8"])
    task = right.selectbox("Task", ["", "regression", "classification", "causal_lm"])
    value_range = left.text_input("Value range", placeholder="0,1")
    declared = {
        "input_shape": [int(n) for n in shape.split(",")] if shape.strip() else None,
        "input_dtype": dtype or None,
        "value_range": [float(v) for v in value_range.split(",")] if value_range.strip() else None,
        "task": task or None,
    }
    return {k: v for k, v in declared.items() if v is not None} or None


def delete_form(kind: str, versions: list[tuple[str, int]]) -> None:
    """Delete through the ``delete`` deployment, which refuses (with the reason) while something uses it."""
    with st.expander(f"Delete a {kind} version", expanded=False), st.form(f"delete-{kind}"):
        chosen = st.selectbox("Version", versions, format_func=lambda nv: f"{nv[0]} v{nv[1]}")
        if st.form_submit_button("Delete"):
            try:
                done, message = run_to_the_end("delete/delete", {"kind": kind, "name": chosen[0], "version": chosen[1]})
            except PrefectUnavailable as exc:
                st.error(str(exc))
                return
            if done:
                st.success(f"deleted {kind} {chosen[0]} v{chosen[1]}")
            else:
                st.error(f"not deleted: {message}")


def models_page(stores) -> None:
    st.header("Models")
    upload_form(stores, "model")
    models = [m for m in stores.metadata.list(Model, owner=stores.settings.owner) if m.status == Status.READY]
    if not models:
        st.info("No models yet.")
        return
    delete_form("model", [(m.name, m.version) for m in reversed(models)])
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "name": m.name,
                    "version": m.version,
                    "input_shape": str(list(model_spec(m).input_shape)),
                    "task": model_spec(m).task,
                    "uploaded": m.created_at,
                }
                for m in models
            ]
        ),
        hide_index=True,
    )
    chosen = st.selectbox("Model", [f"{m.name} v{m.version}" for m in models], index=len(models) - 1)
    model = models[[f"{m.name} v{m.version}" for m in models].index(chosen)]
    left, right = st.columns(2)
    for column, action in ((left, "profile"), (right, "recommend")):
        if column.button(f"{action.capitalize()} {model.name} v{model.version}"):
            try:
                run = start_deployment(f"{action}/{action}", {"model_name": model.name, "version": model.version})
            except PrefectUnavailable as exc:
                st.error(str(exc))
            else:
                st.success(f"{action} started: flow run {run}")
    profile = stores.metadata.latest(Profile, model_id=model.id)
    if profile is None:
        st.info("Not profiled yet.")
        return
    if profile.status == Status.FAILED:
        st.error(f"Profile failed: {profile.status_reason}")
        return
    try:
        sections = [profile_section(ProfileMetrics.from_stored(profile.metrics, f"profile {profile.id}"), "Profile")]
        recommendation = stores.metadata.latest(RecommendationRecord, model_id=model.id)
        if recommendation is not None:
            plan = Recommendation.from_stored(recommendation.plan, f"recommendation {recommendation.id}")
            sections += recommendation_sections(plan)
            if plan.training is not None and plan.training.accelerator_count > 0:
                sections += risk_sections(current_catalog(stores), (plan.training.instance_type,))
    except StoredRecordInvalid as exc:
        st.error(str(exc))
        return
    show_sections(sections)


def start_training_form(stores) -> None:
    """Start a training through the platform's ``train`` deployment (run by its worker, not here)."""
    models = sorted({m.name for m in stores.metadata.list(Model, owner=stores.settings.owner)})
    datasets = sorted({d.name for d in stores.metadata.list(Dataset, owner=stores.settings.owner)})
    if not (models and datasets):
        return
    with st.expander("Start a training", expanded=False), st.form("start-training"):
        model = st.selectbox("Model", models)
        dataset = st.selectbox("Dataset", datasets)
        defaults = TrainingConfig()
        left, middle, right = st.columns(3)
        epochs = left.number_input("Epochs", min_value=1, value=defaults.epochs)
        batch_size = middle.number_input("Batch size", min_value=1, value=defaults.batch_size)
        learning_rate = right.number_input("Learning rate", min_value=1e-8, value=defaults.learning_rate, format="%g")
        workers = left.number_input("Workers", min_value=1, value=defaults.num_workers)
        if st.form_submit_button("Start training"):
            config = {
                "epochs": epochs,
                "batch_size": batch_size,
                "learning_rate": learning_rate,
                "num_workers": workers,
            }
            try:
                run = start_deployment("train/train", {"model_name": model, "dataset_name": dataset, "config": config})
            except PrefectUnavailable as exc:
                st.error(str(exc))
            else:
                st.success(f"training started: flow run {run} (its state is under Recent flow runs)")


def train_page(stores) -> None:
    st.header("Trainings")
    start_training_form(stores)
    trainings = stores.metadata.list(Training, owner=stores.settings.owner)
    if not trainings:
        st.info("No trainings yet.")
        return
    show_table(trainings_section(trainings).table)
    chosen = st.selectbox(
        "Training", [t.id for t in trainings], index=len(trainings) - 1, format_func=lambda tid: tid[:8]
    )
    training = next(t for t in trainings if t.id == chosen)
    show_sections([training_cost_section(training_summary(stores, training.id))])
    nodes, marks = timeline_frames(training_events(stores.metadata, training.id))
    if not nodes.empty:
        st.subheader("Nodes, preemptions, checkpoints and the spot policy's decisions")
        bars = (
            alt.Chart(nodes)
            .mark_bar(height=14)
            .encode(
                x=alt.X("start:T", title="time"),
                x2="end:T",
                y=alt.Y("slot:N", title="node slot"),
                color=alt.Color("ended:N", title="node ended"),
                tooltip=["slot", "instance_type", "usd_per_hour", "start", "end", "ended", "attempt"],
            )
        )
        points = (
            alt.Chart(marks)
            .mark_point(filled=True, size=70)
            .encode(x="at:T", y="slot:N", shape=alt.Shape("event:N", title="event"), tooltip=["event", "reason", "at"])
        )
        st.altair_chart(bars + points, width="stretch")
    if not training.history:
        st.info("No epoch finished yet.")
        return
    history = pd.DataFrame(training.history)
    losses = [c for c in ("train_loss", "val_loss") if c in history]
    curve = history.melt("epoch", value_vars=losses, var_name="series", value_name="loss")
    st.subheader("Loss curves")
    st.altair_chart(
        alt.Chart(curve).mark_line(point=True).encode(x="epoch:Q", y="loss:Q", color="series:N"), width="stretch"
    )


def replica_section(router: dict) -> None:
    """A replicated endpoint's replicas as its router sees them, and what it retried for the clients."""
    st.subheader("Replicas")
    columns = st.columns(3)
    columns[0].metric("Requests", router["requests"])
    columns[1].metric("Retried on another replica", router["retries"])
    columns[2].metric("Failed (seen by a client)", router["failed"])
    st.dataframe(pd.DataFrame(router["replicas"]).drop(columns=["url", "pid"], errors="ignore"), hide_index=True)


def deploy_form(stores) -> None:
    """Deploy through the platform's ``deploy`` deployment (run by its worker, not here).

    The run's result holds the key masked; the key itself comes back through the owner's hand-over
    file (:mod:`sskai.serving.keys`), which this reads once and deletes, and is shown this once.
    """
    owner = stores.settings.owner
    models = sorted({m.name for m in stores.metadata.list(Model, owner=owner) if m.status == Status.READY})
    if not models:
        return
    with st.expander("Deploy an endpoint", expanded=False), st.form("deploy"):
        name = st.text_input("Endpoint name")
        model = st.selectbox("Model", models)
        trained = st.checkbox("Serve the model's newest finished training", value=True)
        if st.form_submit_button("Deploy"):
            if not name:
                st.error("give the endpoint a name")
                return
            training = newest_training(stores, model) if trained else None
            parameters = {"endpoint_name": name, "model_name": model, "training_id": training.id if training else None}
            try:
                done, message = run_to_the_end("deploy/deploy", parameters, timeout_seconds=300.0)
            except PrefectUnavailable as exc:
                st.error(str(exc))
                return
            if not done:
                st.error(f"not deployed: {message}")
                return
            st.success(f"endpoint {name} deployed")
            key = collect(stores.settings, owner, name)
            if key:
                st.code(key, language=None)
                st.caption("Its API key, shown this once: keep it (`sskai endpoints rotate-key` gives a new one).")
            else:
                st.warning(f"no API key was left for {owner}: `sskai endpoints rotate-key {name}` gives a new one")


def newest_training(stores, model_name: str) -> Training | None:
    """The newest finished training of any version of ``model_name``: what a deploy serves by default."""
    owner = stores.settings.owner
    versions = {m.id for m in stores.metadata.list(Model, owner=owner, name=model_name)}
    done = [t for t in stores.metadata.list(Training, owner=owner, status=Status.SUCCEEDED) if t.model_id in versions]
    return max(done, key=lambda t: t.created_at, default=None)


def stop_form(stores, serving: list[Endpoint]) -> None:
    """Stop an endpoint as `sskai endpoints stop` does: its process or function ends (no model code runs here)."""
    with st.expander("Stop an endpoint", expanded=False), st.form("stop-endpoint"):
        chosen = st.selectbox("Endpoint to stop", [e.name for e in serving])
        if st.form_submit_button("Stop"):
            record = next(e for e in serving if e.name == chosen)
            stop_stored_endpoint(stores, record.id, reason="stopped from the dashboard")
            st.success(f"stopped endpoint {chosen}")


def inference_page(stores) -> None:
    st.header("Endpoints")
    deploy_form(stores)
    endpoints = stores.metadata.list(Endpoint, owner=stores.settings.owner)
    if not endpoints:
        st.info("No endpoints yet.")
        return
    serving = [e for e in endpoints if Status(e.status).is_serving]
    if serving:
        stop_form(stores, serving)
    show_table(endpoints_section(endpoints).table)
    events = [
        entry
        for endpoint in endpoints
        for entry in stores.metadata.list(LogEntry, resource_id=endpoint.id)
        if entry.level != LogLevel.INFO
    ]
    if events:
        st.subheader("Endpoint events")
        st.dataframe(
            pd.DataFrame([{"at": e.created_at, "level": e.level, "event": e.message} for e in events]).sort_values(
                "at", ascending=False
            ),
            hide_index=True,
        )
    ready = [e for e in endpoints if e.status == Status.READY]
    if not ready:
        return
    endpoint = ready[[e.name for e in ready].index(st.selectbox("Endpoint", [e.name for e in ready]))]
    endpoint_metrics_section(stores, endpoint)
    try:
        if endpoint.runtime == "replicas":
            replica_section(httpx.get(f"{endpoint.url}/router", timeout=3).json())
    except (httpx.HTTPError, ValueError) as exc:
        st.error(f"{endpoint.name} is not answering: {exc}")
    with st.form("request"):
        api_key = st.text_input("API key", type="password")
        inputs = st.text_area("Inputs (JSON array)", value=sample_inputs(stores, endpoint))
        if st.form_submit_button("Send"):
            _send(endpoint.url, api_key, inputs)


def endpoint_metrics_section(stores, endpoint: Endpoint) -> None:
    """The endpoint's totals now, and requests/s, errors/s and latency over time from its samples."""
    health = check_health(stores, endpoint)
    if not health.alive or health.counters is None:
        st.error(f"{endpoint.name} is not answering: {health.error}")
        return
    counters = health.counters
    total, errors, p50, p95 = st.columns(4)
    total.metric("Requests served", f"{counters.requests:,}")
    errors.metric("Errors", f"{counters.errors:,}", f"{counters.timeouts:,} timed out", delta_color="off")
    p50.metric("Latency p50", "-" if counters.latency_ms_p50 is None else f"{counters.latency_ms_p50:.1f} ms")
    p95.metric("Latency p95", "-" if counters.latency_ms_p95 is None else f"{counters.latency_ms_p95:.1f} ms")
    series = sample_frame(stores, endpoint.id)
    if series.empty:
        st.caption(
            "Requests/s, errors/s and latency over time appear once the endpoint has been sampled twice "
            "(every 30 s under `sskai up`, and at every monitor run)."
        )
        return
    rates = series.melt("at", ["requests/s", "errors/s"], var_name="series", value_name="per second")
    latency = series.melt("at", ["p50 ms", "p95 ms"], var_name="series", value_name="ms").dropna()
    left, right = st.columns(2)
    left.altair_chart(
        alt.Chart(rates).mark_line(point=True).encode(x=alt.X("at:T", title=None), y="per second:Q", color="series:N"),
        width="stretch",
    )
    right.altair_chart(
        alt.Chart(latency).mark_line(point=True).encode(x=alt.X("at:T", title=None), y="ms:Q", color="series:N"),
        width="stretch",
    )
    if endpoint.runtime == "replicas":
        replica_chart(stores, endpoint, series)


def replica_chart(stores, endpoint: Endpoint, series: pd.DataFrame) -> None:
    """Retries and client-visible failures per second over time, each preemption a rule at its moment."""
    rates = series.melt("at", ["retries/s", "failed/s"], var_name="series", value_name="per second")
    lines = (
        alt.Chart(rates).mark_line(point=True).encode(x=alt.X("at:T", title=None), y="per second:Q", color="series:N")
    )
    lost = [
        {"at": entry.created_at, "preemption": entry.message.removeprefix("fleet: ")}
        for entry in stores.metadata.list(LogEntry, resource_id=endpoint.id)
        if LOST_WITH in entry.message
    ]
    st.subheader("Retries, failures and preemptions")
    if lost:
        rules = (
            alt.Chart(pd.DataFrame(lost)).mark_rule(color="firebrick").encode(x="at:T", tooltip=["preemption", "at"])
        )
        st.altair_chart(lines + rules, width="stretch")
    else:
        st.altair_chart(lines, width="stretch")


def sample_inputs(stores, endpoint: Endpoint) -> str:
    """One sample of zeros in the model's own input shape, as the request form's starting text."""
    try:
        spec = model_spec(stores.metadata.get(Model, endpoint.model_id))
    except (StoredRecordInvalid, NotFound):
        return "[[0]]"
    zeros: object = 0 if spec.input_dtype.startswith("int") else 0.0
    for size in reversed((1, *spec.input_shape)):
        zeros = [zeros] * size
    return json.dumps(zeros)


def _send(url: str, api_key: str, inputs: str) -> None:
    try:
        body = {"inputs": json.loads(inputs)}
    except json.JSONDecodeError as exc:
        st.error(f"Inputs are not JSON: {exc}")
        return
    try:
        answer = httpx.post(f"{url}/v1/predict", json=body, headers={"authorization": f"Bearer {api_key}"}, timeout=30)
    except httpx.HTTPError as exc:
        st.error(f"Endpoint not answering: {exc}")
        return
    (st.json if answer.status_code == 200 else st.error)(answer.json())


def main() -> None:
    st.set_page_config(page_title="sskai", layout="wide")
    stores = open_stores()
    page = st.sidebar.radio("Page", PAGES)
    st.sidebar.caption(f"owner: {stores.settings.owner}")
    {
        "Dashboard": dashboard_page,
        "Data": data_page,
        "Models": models_page,
        "Train": train_page,
        "Inference": inference_page,
    }[page](stores)


main()
