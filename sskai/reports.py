"""Results as sections a person reads: built once here, laid out by the CLI, the dashboard and Prefect.

Each result (a recommendation, a profile, the cost ledger) becomes ``Section``s in exactly one
function; the three front ends only lay sections out (rich, Streamlit, markdown artifacts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sskai.ledger import LedgerGrouping, LedgerRow
from sskai.profiling.metrics import ProfileMetrics
from sskai.recommend import Recommendation
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


def usd(value: float) -> str:
    """Metered figures of a demo are fractions of a cent: keep significant digits, not decimals."""
    return f"{value:.4g}" if abs(value) < 0.01 else f"{value:,.4f}"


def recommendation_sections(result: Recommendation) -> tuple[Section, ...]:
    serving, workload = result.serving, result.workload
    sections = [
        Section(
            title=f"Serve: {serving.target} at ${serving.usd_per_hour:.5f}/h",
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
                note=f"estimated {t.estimated_hours * 60:.1f} min, ${t.estimated_spot_usd:.5f} on spot",
            )
        )
    else:
        sections.append(Section(title="Train: no spot GPU holds one training step", lines=()))
    return tuple(sections)


def profile_section(metrics: ProfileMetrics, title: str) -> Section:
    rows = []
    for name, value in metrics.model_dump(exclude={"schema_version"}).items():
        if isinstance(value, float):
            shown = f"{value:,.4g}"
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = str(value)
        rows.append((name, shown))
    return Section(title=title, table=Table(("metric", "value"), tuple(rows)))


def ledger_section(rows: Iterable[LedgerRow], by: LedgerGrouping) -> Section:
    rows = list(rows)
    table = Table(
        (str(by), "paid (USD)", "on demand (USD)", "saving", "managed service (USD)", "vs managed"),
        tuple(
            (
                r.group,
                usd(r.paid_usd),
                usd(r.instead_usd),
                r.saving,
                "-" if r.managed_usd is None else usd(r.managed_usd),
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
        title=f"Training {summary.training_id[:8]}: paid ${usd(summary.paid_usd)}, {summary.saving}",
        note=f"{summary.attempts} attempt(s), {summary.node_seconds:,.0f} node-seconds on its nodes",
        lines=(
            f"on-demand nodes for the same work: ${usd(summary.ondemand_usd)}",
            f"{summary.preemptions} preemption(s), {summary.announced} with notice; "
            f"{summary.rework_worker_seconds:,.1f} {unit}-seconds of training done again",
            f"{summary.waiting_seconds:,.1f} s short of nodes (capacity gone or a replacement starting)",
            f"{summary.checkpoints} checkpoint(s), {summary.notice_checkpoints} taken on a notice",
        ),
    )


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
