"""Results as sections a person reads: built once here, laid out by the CLI, the dashboard and Prefect.

Each result (a recommendation, a profile, the cost ledger) becomes ``Section``s in exactly one
function; the three front ends only lay sections out (rich, Streamlit, markdown artifacts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sskai.costs.money import dollars
from sskai.kinds import LedgerGrouping
from sskai.risk.calibration import hold_out_each_zone
from sskai.risk.model import advisor_rate_per_hour
from sskai.risk.shipped import buckets_of, shipped_risk_model, v100_observations
from sskai.units import MiB

if TYPE_CHECKING:  # what the sections are built from; a CLI listing models needs none of their modules (pandas, Ray)
    from sskai.catalog.catalog import Catalog
    from sskai.costs.ledger import LedgerRow
    from sskai.plans import Recommendation
    from sskai.profiling.metrics import ProfileMetrics
    from sskai.store.metadata import Dataset, Endpoint, Model, Training
    from sskai.training.summary import TrainingSummary


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...] = ()  # shown as a bulleted list
    table: Table | None = None
    note: str = ""  # one line of context under the title


def recommendation_sections(result: Recommendation) -> tuple[Section, ...]:
    serving, workload = result.serving, result.workload
    sections = [
        Section(
            title=f"Serve: {serving.kind} at ${serving.usd_per_hour:.5f}/h",
            lines=serving.reasons,
            note=f"{workload.requests_per_hour:,.0f} requests/h, p95 target {workload.latency_slo_ms:.0f} ms",
        )
    ]
    if result.training is not None:
        t = result.training
        sections.append(
            Section(
                title=f"Train: {t.instance_type} in {t.region}",
                lines=t.reasons,
                note=f"estimated {t.estimated_hours * 60:.1f} min, ${t.estimated_spot_usd:.5f} on spot"
                + (
                    f"; {t.hazard_per_hour:.3f} interruptions/h, {t.availability:.0%} available ({t.risk_basis})"
                    if t.hazard_per_hour is not None and t.availability is not None
                    else f"; {t.risk_basis}"
                    if t.risk_basis
                    else ""
                ),
            )
        )
    else:
        sections.append(Section(title="Train: no spot GPU holds one training step", lines=()))
    return tuple(sections)


def risk_sections(
    catalog: Catalog, instance_types: tuple[str, ...] | None = None, regions: tuple[str, ...] | None = None
) -> tuple[Section, ...]:
    """Each spot pool's calibrated figures and where they came from, then how well the model predicts held-out zones."""
    model = shipped_risk_model(catalog)
    offers = [
        o
        for o in catalog.spot_offers(regions)
        if o.accelerator_count > 0 and (instance_types is None or o.instance_type in instance_types)
    ]
    rows = []
    for offer in sorted(offers, key=lambda o: (o.instance_type, o.region))[:60]:
        risk = model.for_offer(offer)
        rows.append(
            (
                f"{offer.instance_type} {offer.region}",
                offer.spot_interruption_frequency or "-",
                f"{risk.hazard_per_hour:.3f}",
                f"{risk.availability:.0%}",
                f"{risk.mean_wait_hours:.2f}",
                risk.source,
            )
        )
    report = hold_out_each_zone(v100_observations(), buckets_of(catalog))
    errors = report.mean_absolute_error()
    held = Table(
        (
            "zone held out",
            "observed /h",
            "from bucket /h",
            "from region /h",
            "observed avail.",
            "from bucket",
            "from region",
        ),
        tuple(
            (
                z.zone.removesuffix("_v100_1"),
                f"{z.observed_hazard:.3f}",
                f"{z.bucket_hazard:.3f}",
                "-" if z.region_hazard is None else f"{z.region_hazard:.3f}",
                f"{z.observed_availability:.0%}",
                f"{z.bucket_availability:.0%}",
                "-" if z.region_availability is None else f"{z.region_availability:.0%}",
            )
            for z in report.zones
        ),
    )
    return (
        Section(
            title="Spot risk per pool",
            note="interruptions per hour held, share of time obtainable, mean wait for capacity (h); "
            f"'>20%' bucket = {model.bucket_hazard_per_hour['>20%']:.3f}/h after calibration "
            f"(read literally: {advisor_rate_per_hour('>20%'):.4f}/h)",
            table=Table(("pool", "Advisor bucket", "hazard /h", "available", "wait h", "from"), tuple(rows)),
        ),
        Section(
            title="Calibration: each traced zone held out",
            note=f"mean absolute error, hazard: bucket {errors['bucket_hazard']:.3f}/h, region-mates "
            f"{errors['region_hazard']:.3f}/h, Advisor read literally {errors['advisor_literal_hazard']:.3f}/h; "
            f"availability: bucket {errors['bucket_availability']:.0%}, "
            f"region-mates {errors['region_availability']:.0%}",
            table=held,
        ),
    )


def _mib(value: int) -> str:
    return f"{value / MiB:,.1f} MiB"


def _ms(value: float) -> str:
    return f"{value:,.3g} ms"


def _count(value: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:,.3g} {unit}"
    return f"{value:,.0f}"


# Each stored metric as a person reads it: a plain name and its unit (the stored names stay exact).
PROFILE_ROWS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("device", "measured on", str),
    ("parameter_count", "parameters", lambda v: f"{v:,}"),
    ("weight_bytes", "weights", _mib),
    ("forward_flops_per_sample", "work per sample, inference (FLOPs)", _count),
    ("train_flops_per_sample", "work per sample, training (FLOPs)", _count),
    ("latency_ms_p50", "latency of one sample, median", _ms),
    ("latency_ms_p95", "latency of one sample, 95th percentile", _ms),
    ("batch_latency_ms_p50", "latency of a batch, median", _ms),
    ("inference_batch_size", "batch measured for inference", lambda v: f"{v:,}"),
    ("inference_peak_bytes", "memory of that batch's inference, peak", _mib),
    ("train_batch_size", "batch measured for training", lambda v: f"{v:,}"),
    ("train_step_peak_bytes", "memory of one training step, peak", _mib),
    ("runtime_rss_bytes", "process memory before the model", _mib),
    ("model_held_bytes", "memory the model added", _mib),
    ("serving_peak_rss_bytes", "process memory while serving, peak (sizes Lambda)", _mib),
    ("output_shape", "output of one sample (shape)", lambda v: " x ".join(map(str, v)) or "scalar"),
)


def profile_section(metrics: ProfileMetrics, title: str) -> Section:
    """Plain names with units (MiB, ms); the records keep the exact field names."""
    stored = metrics.model_dump(exclude={"schema_version"})
    rows = tuple((name, shown(stored[field])) for field, name, shown in PROFILE_ROWS if field in stored)
    return Section(title=title, table=Table(("measured", "value"), rows))


def ledger_section(rows: Iterable[LedgerRow], by: LedgerGrouping) -> Section:
    rows = list(rows)
    table = Table(
        (str(by), "paid", "on demand", "saving", "managed service", "vs managed"),
        tuple(
            (
                r.group,
                dollars(r.paid_usd),
                dollars(r.instead_usd),
                r.saving,
                "-" if r.managed_usd is None else dollars(r.managed_usd),
                r.managed_saving,
            )
            for r in rows
        ),
    )
    simulated = any(r.simulated for r in rows)
    note = "simulated metering: seconds measured here, priced at catalog prices" if simulated else ""
    return Section(title=f"Costs by {by}", table=table, note=note)


def training_cost_section(summary: TrainingSummary) -> Section:
    """One training across all its attempts: what spot cost, what it saved, and what preemptions took."""
    unit = summary.accelerator
    return Section(
        title=f"Training {summary.training_id[:8]}: paid {dollars(summary.paid_usd)}, {summary.saving}",
        note=f"{summary.attempts} attempt(s), {summary.node_seconds:,.0f} node-seconds on its nodes",
        lines=(
            f"on-demand nodes for the same work: {dollars(summary.ondemand_usd)}",
            f"{summary.preemptions} preemption(s), {summary.announced} with notice; "
            f"{summary.rework_worker_seconds:,.1f} {unit}-seconds of training done again",
            f"{summary.waiting_seconds:,.1f} s short of nodes (capacity gone or a replacement starting)",
            f"{summary.checkpoints} checkpoint(s), {summary.notice_checkpoints} taken on a notice",
            *(
                (
                    f"spot policy: {summary.launches} launch(es), {summary.ondemand_node_seconds:,.0f} worker "
                    f"node-seconds on demand, {dollars(summary.transfer_usd)} of data moved between regions",
                )
                if summary.decisions
                else ()
            ),
        ),
        table=Table(
            ("when", "decision", "where", "why"),
            tuple((f"{d.at:%H:%M:%S}", d.decision, d.where, d.reason) for d in summary.decisions),
        )
        if summary.decisions
        else None,
    )


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def endpoints_section(endpoints: Iterable[Endpoint]) -> Section:
    """Every endpoint in one table, for the CLI (``sskai endpoints list``) and the Inference page."""
    rows = tuple(
        (e.name, str(e.status), str(e.kind), e.runtime, e.url or "-", _when(e.created_at), e.status_reason or "")
        for e in endpoints
    )
    return Section(
        title="Endpoints",
        table=Table(("name", "status", "kind", "runtime", "url", "created", "reason"), rows),
    )


def trainings_section(trainings: Iterable[Training]) -> Section:
    """Every training in one table, for the CLI and the Train page."""
    rows = tuple(
        (
            t.id[:8],
            str(t.status),
            f"{t.progress:.0%}",
            t.instance_type or "-",
            t.region or "-",
            _when(t.started_at),
            t.status_reason or "",
        )
        for t in trainings
    )
    return Section(
        title="Trainings",
        table=Table(("id", "status", "progress", "instance", "region", "started", "reason"), rows),
    )


def bundles_section(title: str, records: Iterable[Model | Dataset]) -> Section:
    """Stored models or datasets, every version, for ``sskai models list`` and ``sskai datasets list``."""
    rows = tuple(
        (r.id[:8], r.name, f"v{r.version}", str(r.status), f"{r.size_bytes / 1e6:.2f} MB", _when(r.created_at))
        for r in records
    )
    return Section(title=title, table=Table(("id", "name", "version", "status", "size", "uploaded"), rows))


def to_markdown(sections: Iterable[Section]) -> str:
    """The markdown layout (Prefect artifacts); rich and Streamlit lay the same sections out themselves."""
    out: list[str] = []
    for section in sections:
        out += [f"## {section.title}", ""]
        if section.note:
            out += [f"_{section.note}_", ""]
        out += [f"- {line}" for line in section.lines]
        if section.table is not None:
            out += [
                "| " + " | ".join(section.table.columns) + " |",
                "|" + "---|" * len(section.table.columns),
                *("| " + " | ".join(row) + " |" for row in section.table.rows),
            ]
        out.append("")
    return "\n".join(out)
