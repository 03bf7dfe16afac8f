"""Rich tables the command line prints after a year's run: the headline figures, the top of the
score table and the allocation summary, in the language of `--lang` (the message catalogue).

The headline figures come from the same list as report.html's tiles and report.xlsx's Summary
sheet (`unionflow.reports.data.headline_figures`), so the console never disagrees with them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unionflow.reports.catalogue import GRADE_ORDER, catalogue
from unionflow.reports.data import headline_figures
from warehouse import allocation_runs, score_runs
from warehouse.connection import open_warehouse
from warehouse.publication import headline


def _score(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(str(value)):.2f}"


def print_outcome(
    console: Console, db: Path, year: int, allocation_run_id: int, top: int = 10, *, lang: str = "en"
) -> None:
    """The headline figures, the top of the score table and the allocation summary of a run."""
    cat = catalogue(lang)
    text = cat.labels
    with open_warehouse(db, read_only=True) as conn:
        run = allocation_runs.existing_allocation_run(conn, allocation_run_id)
        scores = score_runs.scores_of(conn, run.score_run_id)
        allocations = allocation_runs.allocations_of(conn, allocation_run_id)
        figures = headline_figures(headline(conn, year, allocation_run_id), year, cat)

    numbers = Table(title=cat.text("console_headline", year=year))
    numbers.add_column(text["console_figure"])
    numbers.add_column(text["console_value"], justify="right")
    numbers.add_column("", style="dim")
    for figure in figures:
        value = f"{figure.value:,}" + (f" {text['currency']}" if figure.money else "")
        numbers.add_row(text[figure.key], value, figure.note)
    console.print(numbers)

    amounts = allocations.set_index("unit_id")["amount_cny"]
    table = Table(title=cat.text("console_top", year=year, shown=min(top, len(scores)), total=len(scores)))
    for label, justify in (
        ("col_rank", "right"),
        ("col_unit", "left"),
        ("col_level", "left"),
        ("col_indicator", "right"),
        ("col_peer", "right"),
        ("col_bonus", "right"),
        ("col_total", "right"),
        ("col_grade", "left"),
        ("col_amount", "right"),
    ):
        table.add_column(text[label], justify=justify)  # type: ignore[arg-type]
    for row in scores.head(top).itertuples(index=False):
        cells = (
            "" if pd.isna(row.rank) else str(int(row.rank)),
            str(row.name),
            cat.code("level", row.level),
            _score(row.indicator_score),
            _score(row.peer_score),
            _score(row.bonus),
            _score(row.total),
            cat.code("grade", row.grade),
            f"{int(amounts.get(row.unit_id, 0)):,}",
        )
        table.add_row(*(Text(cell) for cell in cells))  # a unit's name is never markup
    console.print(table)

    status = cat.code("status", run.status)
    summary = Table(title=cat.text("console_run", run=allocation_run_id, status=status))
    for label in ("col_grade", "units", "funded", "amount"):
        summary.add_column(text[label], justify="left" if label == "col_grade" else "right")
    by_grade = allocations.groupby("grade", sort=False).agg(
        units=("unit_id", "size"),
        funded=("reason", lambda r: int((r == "funded").sum())),
        amount=("amount_cny", "sum"),
    )
    for grade in [g for g in GRADE_ORDER if g in by_grade.index]:
        line = by_grade.loc[grade]
        summary.add_row(
            cat.code("grade", grade),
            f"{int(line['units']):,}",
            f"{int(line['funded']):,}",
            f"{int(line['amount']):,}",
        )
    for key, amount in (
        ("budget", run.budget),
        ("allocated", run.allocated),
        ("unallocated", run.unallocated),
    ):
        summary.add_row(text[key], "", "", f"{amount:,}", style="bold")
    console.print(summary)
