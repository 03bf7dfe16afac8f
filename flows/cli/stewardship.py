"""Commands for data stewards: `validate`, `units import`, `quarantine …` and `review …`.

User mistakes raise errors that `flows.cli.main` turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.cli.options import (
    ByOption,
    DbOption,
    ReasonOption,
    UsageProblem,
    YearOption,
    console,
    db_path,
    errors,
    plain_console,
    who,
)

app = typer.Typer()
units_app = typer.Typer(help="The pilot-unit registry.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Steward review of quarantined records.", no_args_is_help=True)
review_app = typer.Typer(help="Steward decisions on individual reviews.", no_args_is_help=True)

DocsOption = Annotated[
    Path | None, typer.Option("--docs", help="Folder for the Data Docs site (index.html) [default: none].")
]
IdArgument = Annotated[int, typer.Argument(help="Quarantine id (the payload id shown by `quarantine list`).")]


@app.command("validate")
def validate_command(year: YearOption, db: DbOption = None, docs: DocsOption = None) -> None:
    """Validate what was collected for a year with the dataset suites; build Data Docs with --docs.

    Exit code 1 when a critical suite failed (publication would be blocked).
    """
    from flows.preflight import check_writable
    from flows.validate import validate

    check_writable(db_path(db))
    with console.status(f"validating {year} …"):
        outcome = validate(year=year, db=str(db_path(db)), docs=str(docs) if docs else None)
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


@quarantine_app.command("release")
def release_command(
    quarantine_id: IdArgument, reason: ReasonOption, by: ByOption = None, db: DbOption = None
) -> None:
    """Release a quarantined record: waive its procedural rules (late, conflicting_duplicate,
    unassigned) and validate it again. Data errors stay: the record then remains in quarantine."""
    from flows.preflight import check_writable
    from flows.stewardship import review_record

    check_writable(db_path(db))
    result = review_record(db_path(db), quarantine_id, "released", reason, who(by))
    plain_console().print(result.message())


@quarantine_app.command("reject")
def reject_command(
    quarantine_id: IdArgument, reason: ReasonOption, by: ByOption = None, db: DbOption = None
) -> None:
    """Reject a quarantined record: it stays out of the accepted data, marked rejected."""
    from flows.preflight import check_writable
    from flows.stewardship import review_record

    check_writable(db_path(db))
    result = review_record(db_path(db), quarantine_id, "rejected", reason, who(by))
    plain_console().print(result.message())


@quarantine_app.command("history")
def history_command(
    quarantine_id: Annotated[int | None, typer.Argument(help="Only this quarantine id.")] = None,
    db: DbOption = None,
) -> None:
    """Show the audit trail of release/reject decisions."""
    from flows.stewardship import show_decision_history

    show_decision_history(console, db_path(db), quarantine_id)


def _decide_review(year: int, review_id: str, action: str, reason: str, by: str | None, db: Path) -> None:
    from flows.preflight import check_writable
    from warehouse.connection import open_warehouse
    from warehouse.review_exclusions import decide

    if not reason.strip():
        raise UsageProblem("--reason must say why")
    check_writable(db)
    with open_warehouse(db) as conn:
        changed = decide(conn, year, review_id, action, reason, who(by))
    done = "excluded from" if action == "exclude" else "taken back into"
    if changed:
        console.print(
            f"review {review_id} {done} scoring; run `unionflow score --year {year}` to re-score",
            highlight=False,
        )
    else:
        console.print(f"review {review_id} is already {done} scoring; nothing recorded", highlight=False)


@review_app.command("exclude")
def review_exclude(
    review_id: Annotated[str, typer.Argument(help="The review to leave out of scoring.")],
    year: YearOption,
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Exclude a (flagged) review from scoring; audited. Re-score afterwards."""
    _decide_review(year, review_id, "exclude", reason, by, db_path(db))


@review_app.command("include")
def review_include(
    review_id: Annotated[str, typer.Argument(help="The excluded review to take back.")],
    year: YearOption,
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Take an excluded review back into scoring; audited."""
    _decide_review(year, review_id, "include", reason, by, db_path(db))


@review_app.command("exclusions")
def review_exclusions(year: YearOption, db: DbOption = None) -> None:
    """The audit trail of the year's exclusion decisions."""
    from rich.table import Table

    from flows.reading import reading
    from warehouse.review_exclusions import decisions

    with reading(db_path(db)) as conn:
        trail = decisions(conn, year)
    table = Table(title=f"{year}: review exclusion decisions")
    for column in ("review_id", "action", "reason", "decided_by", "decided_at"):
        table.add_column(column)
    for row in trail.itertuples(index=False):
        table.add_row(row.review_id, row.action, row.reason, row.decided_by, str(row.decided_at))
    console.print(table)


@units_app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(help="Registry file: CSV (UTF-8 or GBK) or XLSX.")],
    db: DbOption = None,
) -> None:
    """Load the pilot-unit registry; a file with any bad row is refused whole."""
    from flows.preflight import check_writable
    from flows.registry import import_units

    if not file.is_file():
        raise UsageProblem(f"registry file {file} does not exist")
    check_writable(db_path(db))
    outcome = import_units(file, db_path(db))
    if outcome.rejected:
        errors.print(f"{file}: {len(outcome.rejected)} bad rows; nothing was imported:", highlight=False)
        for ref, rule, message in outcome.rejected:
            errors.print(f"  {ref}: {rule}: {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if outcome.reconciliation is not None:
        console.print(outcome.reconciliation.line(), highlight=False)


@quarantine_app.command("list")
def quarantine_list(
    db: DbOption = None,
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only records breaking this rule code.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="unit, submission or review.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 50,
) -> None:
    """List quarantined records."""
    from flows.stewardship import show_quarantine_list

    show_quarantine_list(console, db_path(db), year=year, rule=rule, kind=kind, limit=limit)


@quarantine_app.command("show")
def quarantine_show(
    quarantine_id: Annotated[int, typer.Argument(help="Quarantine id.")], db: DbOption = None
) -> None:
    """Show one quarantined record: its payload, the rules it breaks and why."""
    from flows.stewardship import show_quarantined_record

    show_quarantined_record(console, db_path(db), quarantine_id)
