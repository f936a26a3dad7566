"""The ledger says what was saved, or plainly how much dearer and why; one set of sections feeds every front end."""

from __future__ import annotations

import io

from rich.console import Console

from sskai.costs.ledger import LedgerRow
from sskai.kinds import LedgerGrouping
from sskai.reports import ledger_section, recommendation_sections, to_markdown
from tests.builders import SMALL
from ui.render import print_sections


def test_the_same_sections_reach_markdown_and_the_terminal() -> None:
    rows = [LedgerRow(group="training", paid_usd=0.2, instead_usd=1.0, instead="on-demand g4dn.xlarge", simulated=True)]
    section = ledger_section(rows, LedgerGrouping.KIND)
    markdown = to_markdown([section])
    assert section.note.startswith("simulated metering")
    assert ledger_section([rows[0].model_copy(update={"simulated": False})], LedgerGrouping.KIND).note == ""
    assert "## Costs by kind" in markdown and "| training | $0.20 | $1.00 | 80.0% saved" in markdown
    terminal = io.StringIO()
    print_sections(Console(file=terminal, width=200), [section])
    assert "Costs by kind" in terminal.getvalue() and "80.0% saved vs on-demand g4dn.xlarge" in terminal.getvalue()

    from sskai.catalog import load_catalog as catalog
    from sskai.recommend import recommend

    advice = recommendation_sections(recommend(SMALL, catalog()))
    assert [s.title.split(":")[0] for s in advice] == ["Serve", "Train"]
    assert all(line in to_markdown(advice) for s in advice for line in s.lines)


def test_a_profile_reads_in_plain_names_and_units() -> None:
    from sskai.reports import profile_section

    rows = dict(profile_section(SMALL, "Profile").table.rows)
    assert rows["parameters"] == f"{SMALL.parameter_count:,}"
    assert rows["weights"].endswith(" MiB") and rows["latency of one sample, median"].endswith(" ms")
    assert len(rows) == len(SMALL.model_dump(exclude={"schema_version"}))  # every metric shown, none twice
