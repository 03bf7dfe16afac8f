"""Rich tables the command line prints after scoring, allocating and publishing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from warehouse import allocation_runs, score_runs
from warehouse.connection import open_warehouse


def _score(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(str(value)):.2f}"


def print_outcome(console: Console, db: Path, year: int, allocation_run_id: int, top: int = 10) -> None:
    """The top of the score table and the allocation summary of a run."""
    with open_warehouse(db, read_only=True) as conn:
        run = allocation_runs.allocation_run(conn, allocation_run_id) or {}
        scores = score_runs.scores_of(conn, int(str(run["score_run_id"])))
        allocations = allocation_runs.allocations_of(conn, allocation_run_id)
    amounts = allocations.set_index("unit_id")["amount_cny"]
    table = Table(title=f"{year} assessment: top {min(top, len(scores))} of {len(scores)} pilot units")
    for column, justify in (
        ("rank", "right"),
        ("unit", "left"),
        ("level", "left"),
        ("indicator", "right"),
        ("peer", "right"),
        ("bonus", "right"),
        ("total", "right"),
        ("grade", "left"),
        ("amount (CNY)", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in scores.head(top).itertuples(index=False):
        table.add_row(
            "" if pd.isna(row.rank) else str(int(row.rank)),
            str(row.name),
            str(row.level),
            _score(row.indicator_score),
            _score(row.peer_score),
            _score(row.bonus),
            _score(row.total),
            str(row.grade),
            f"{int(amounts.get(row.unit_id, 0)):,}",
        )
    console.print(table)

    summary = Table(title=f"Allocation run {allocation_run_id} ({run.get('status')})")
    for column in ("grade", "units", "funded", "amount (CNY)"):
        summary.add_column(column, justify="left" if column == "grade" else "right")
    by_grade = allocations.groupby("grade", sort=False).agg(
        units=("unit_id", "size"),
        funded=("reason", lambda r: int((r == "funded").sum())),
        amount=("amount_cny", "sum"),
    )
    order = ["excellent", "good", "pass", "fail", "incomplete", "missing"]
    for grade in [g for g in order if g in by_grade.index]:
        line = by_grade.loc[grade]
        summary.add_row(
            grade, f"{int(line['units']):,}", f"{int(line['funded']):,}", f"{int(line['amount']):,}"
        )
    summary.add_row("budget", "", "", f"{int(str(run['budget'])):,}", style="bold")
    summary.add_row("allocated", "", "", f"{int(str(run['allocated'])):,}", style="bold")
    summary.add_row("unallocated", "", "", f"{int(str(run['unallocated'])):,}", style="bold")
    console.print(summary)
