"""Lay the domain's report sections out in the terminal (rich). The dashboard and Prefect have their own layouts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # the sections' module pulls in training and costs: a command that prints none needs neither
    from sskai.reports import Section


def print_sections(console: Console, sections: Iterable[Section]) -> None:
    for section in sections:
        console.rule(f"[bold]{escape(section.title)}")
        if section.note:
            console.print(escape(section.note), style="dim")
        for line in section.lines:
            console.print(f"  - {escape(line)}", soft_wrap=True)
        if section.table is not None:
            # Light rules, and the row's name kept whole (up to 40% of the width): at 80 columns the
            # figures and prose beside it wrap instead of a pool or a resource being cut to "g4ad.16xlar…".
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True)
            names = [section.table.columns[0], *(row[0] for row in section.table.rows)]
            widest = min(max(len(name) for name in names), console.width * 2 // 5)
            table.add_column(section.table.columns[0], justify="left", no_wrap=True, min_width=widest)
            for index, column in enumerate(section.table.columns[1:], start=1):
                # A figure is never cut or wrapped (a cut number is a wrong number); prose wraps instead.
                cells = [row[index] for row in section.table.rows]
                figures = all(" " not in cell for cell in cells)
                widest_figure = max(map(len, cells), default=0) if figures else None
                table.add_column(column, justify="right" if figures else "left", min_width=widest_figure)
            for row in section.table.rows:
                table.add_row(*(escape(cell) for cell in row))
            console.print(table)
