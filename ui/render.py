"""Lay the domain's report sections out in the terminal (rich). The dashboard and Prefect have their own layouts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

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
            table = Table()
            for index, column in enumerate(section.table.columns):
                table.add_column(column, justify="left" if index == 0 else "right")
            for row in section.table.rows:
                table.add_row(*(escape(cell) for cell in row))
            console.print(table)
