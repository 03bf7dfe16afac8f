"""Typer commands for data stewards: `validate` and `quarantine release|reject|history`.

Plain command functions, registered on the app by `flows/cli.py` (this module must not import it:
that would be circular). User mistakes raise `WarehouseError`, which the CLI's `main` turns into
one line on stderr and exit code 2.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file [default: $UNIONFLOW_DB or ./unionflow.duckdb]."),
]
YearOption = Annotated[int, typer.Option("--year", min=2000, max=2100, help="Assessment year.")]
DocsOption = Annotated[
    Path | None, typer.Option("--docs", help="Folder for the Data Docs site (index.html) [default: none].")
]
IdArgument = Annotated[int, typer.Argument(help="Quarantine id (the payload id shown by `quarantine list`).")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded in the audit trail).")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides [default: the operating-system user].")
]


def _console() -> Console:
    # Made per call (no work at import); wide enough for tables when piped.
    return Console(width=None if sys.stdout.isatty() else 160)


def _db(db: Path | None) -> Path:
    return db if db is not None else Path(os.environ.get("UNIONFLOW_DB") or "unionflow.duckdb")


def _who(by: str | None) -> str:
    if by is not None and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a minimal container
        return "unknown"


def validate_command(year: YearOption, db: DbOption = None, docs: DocsOption = None) -> None:
    """Validate what was collected for a year with the dataset suites; build Data Docs with --docs.

    Exit code 1 when a critical suite failed (publication would be blocked).
    """
    from flows.preflight import check_writable
    from flows.validate import validate

    console = _console()
    check_writable(_db(db))
    with console.status(f"validating {year} …"):
        outcome = validate(year=year, db=str(_db(db)), docs=str(docs) if docs else None)
    print_validation(console, outcome)
    if not outcome.success:
        raise typer.Exit(1)


def print_validation(console: Console, outcome: object) -> None:
    """Critical failures and warnings as a Rich table, then one verdict line."""
    critical: list[str] = list(getattr(outcome, "critical_failures", []))
    warnings: list[str] = list(getattr(outcome, "warnings", []))
    if critical or warnings:
        table = Table(title=f"Validation {getattr(outcome, 'year', '')}: findings")
        table.add_column("severity", no_wrap=True)
        table.add_column("finding", overflow="fold")
        for line in critical:
            table.add_row("[bold red]critical[/bold red]", line)
        for line in warnings:
            table.add_row("[yellow]warning[/yellow]", line)
        console.print(table)
    verdict = "passed" if not critical else f"FAILED: {len(critical)} critical failures block publication"
    console.print(f"validation {verdict}; {len(warnings)} warnings", highlight=False)
    docs_index = getattr(outcome, "docs_index", None)
    if docs_index is not None:
        console.print(f"Data Docs: {docs_index}", highlight=False)


def release_command(
    quarantine_id: IdArgument, reason: ReasonOption, by: ByOption = None, db: DbOption = None
) -> None:
    """Release a quarantined record: waive its procedural rules (late, conflicting_duplicate,
    unassigned) and validate it again. Data errors stay: the record then remains in quarantine."""
    from flows.preflight import check_writable
    from flows.stewardship import review_record

    check_writable(_db(db))
    result = review_record(_db(db), quarantine_id, "released", reason, _who(by))
    _console().print(result.message(), highlight=False, soft_wrap=True, markup=False)


def reject_command(
    quarantine_id: IdArgument, reason: ReasonOption, by: ByOption = None, db: DbOption = None
) -> None:
    """Reject a quarantined record: it stays out of the accepted data, marked rejected."""
    from flows.preflight import check_writable
    from flows.stewardship import review_record

    check_writable(_db(db))
    result = review_record(_db(db), quarantine_id, "rejected", reason, _who(by))
    _console().print(result.message(), highlight=False, soft_wrap=True, markup=False)


def history_command(
    quarantine_id: Annotated[int | None, typer.Argument(help="Only this quarantine id.")] = None,
    db: DbOption = None,
) -> None:
    """Show the audit trail of release/reject decisions."""
    from flows.stewardship import show_decision_history

    show_decision_history(_console(), _db(db), quarantine_id)
