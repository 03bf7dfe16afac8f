"""Commands for data stewards: `validate`, `units import`, `quarantine …` and `review …`.

User mistakes raise errors that `flows.cli.main` turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

from enum import StrEnum
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
IdArgument = Annotated[
    str,
    typer.Argument(help="Quarantine id (shown by `quarantine list`), or the record's own id (e.g. S-90001)."),
]


class Kind(StrEnum):
    """The record kinds a quarantine row can be (`--kind`)."""

    unit = "unit"
    submission = "submission"
    review = "review"


@app.command("validate")
def validate_command(year: YearOption, db: DbOption = None, docs: DocsOption = None) -> None:
    """Validate what was collected for a year with the dataset suites; build Data Docs with --docs.

    Exit code 1 when a critical suite failed (publication would be blocked).
    """
    from flows.cli.checks import writable
    from flows.cli.runtime import flow_runtime

    writable(db_path(db))
    with flow_runtime() as runtime:
        from flows.validate import validate

        with runtime.running(), console.status(f"validating {year} …"):
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
    if result.recorded:
        _announce(result.decision.year, "released", f"quarantine {result.decision.quarantine_id}", by, db)


@quarantine_app.command("reopen")
def reopen_command(
    quarantine_id: IdArgument, reason: ReasonOption, by: ByOption = None, db: DbOption = None
) -> None:
    """Reopen a rejected record (audited): it is pending again and can then be released.

    A rejection is otherwise final; this is the documented way to reconsider one."""
    from flows.preflight import check_writable
    from flows.stewardship import review_record

    check_writable(db_path(db))
    result = review_record(db_path(db), quarantine_id, "reopened", reason, who(by))
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
    if result.recorded:
        _announce(result.decision.year, "rejected", f"quarantine {result.decision.quarantine_id}", by, db)


@quarantine_app.command("history")
def history_command(
    quarantine_id: Annotated[
        str | None, typer.Argument(help="Only this record (quarantine id or the record's own id).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Show the audit trail of release/reject decisions."""
    from flows.stewardship import show_decision_history

    show_decision_history(console, db_path(db), quarantine_id)


def _announce(year: int | None, decision: str, subject: str, by: str | None, db: Path | None) -> None:
    """Tell a configured Prefect server, so that its `rescore` deployment re-scores the year."""
    from flows.events import announce_decision

    announced = announce_decision(year, decision, subject, who(by), db_path(db))
    if announced is not None:
        (errors if announced.problem else console).print(announced.line(), highlight=False)


def _decide_review(
    year: int, review_id: str | None, reviewer: str | None, action: str, reason: str, by: str | None, db: Path
) -> None:
    from flows.preflight import check_writable
    from warehouse.connection import open_warehouse
    from warehouse.review_exclusions import decide, decide_reviewer

    if (review_id is None) == (reviewer is None):
        raise UsageProblem(
            "name one review (REVIEW_ID) or one reviewer (--reviewer UNIT), not both or neither"
        )
    if not reason.strip():
        raise UsageProblem("--reason must say why")
    check_writable(db)
    done = "excluded from" if action == "exclude" else "taken back into"
    rescore = f"run `unionflow score --year {year}` to re-score"
    with open_warehouse(db) as conn:
        if reviewer is not None:
            changed, total = decide_reviewer(conn, year, reviewer, action, reason, who(by))
        else:
            assert review_id is not None
            changed, total = (
                ([review_id] if decide(conn, year, review_id, action, reason, who(by)) else []),
                1,
            )
    if reviewer is not None:
        kept = total - len(changed)
        already = f"; {kept} already were" if kept else ""
        line = f"{len(changed)} of {total} reviews by {reviewer} {done} scoring in one audited step{already}"
        console.print(line + (f"; {rescore}" if changed else "; nothing recorded"), highlight=False)
    elif changed:
        console.print(f"review {review_id} {done} scoring; {rescore}", highlight=False)
    else:
        console.print(f"review {review_id} is already {done} scoring; nothing recorded", highlight=False)
    if changed:
        _announce(year, action, f"review {review_id}" if reviewer is None else f"reviewer {reviewer}", by, db)


ReviewIdArgument = Annotated[
    str | None, typer.Argument(help="One review (or use --reviewer for all of a reviewer's reviews).")
]
ReviewerOption = Annotated[
    str | None,
    typer.Option("--reviewer", help="All valid reviews of this reviewer unit, in one audited step."),
]


@review_app.command("exclude")
def review_exclude(
    year: YearOption,
    reason: ReasonOption,
    review_id: ReviewIdArgument = None,
    reviewer: ReviewerOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Exclude a (flagged) review, or every review of a flagged reviewer, from scoring; audited.
    Re-score afterwards."""
    _decide_review(year, review_id, reviewer, "exclude", reason, by, db_path(db))


@review_app.command("include")
def review_include(
    year: YearOption,
    reason: ReasonOption,
    review_id: ReviewIdArgument = None,
    reviewer: ReviewerOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Take an excluded review (or all of a reviewer's) back into scoring; audited."""
    _decide_review(year, review_id, reviewer, "include", reason, by, db_path(db))


@review_app.command("list")
def review_list_command(
    year: YearOption,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Only reviews by this unit.")] = None,
    reviewee: Annotated[str | None, typer.Option("--reviewee", help="Only reviews of this unit.")] = None,
    db: DbOption = None,
) -> None:
    """The year's valid reviews (of one reviewer or reviewee), with scores and whether excluded."""
    from rich.text import Text

    from flows.reading import reading
    from flows.stewardship import CAT
    from warehouse.review_exclusions import review_list

    with reading(db_path(db)) as conn:
        rows = review_list(conn, year, reviewer=reviewer, reviewee=reviewee)
    scope = "".join(f" {label} {value}" for label, value in (("by", reviewer), ("of", reviewee)) if value)
    table = Table(title=f"{year}: {len(rows)} valid reviews{scope}")
    criteria = ("guidance", "skills", "innovation", "institution", "service")
    for column in (
        "review_id",
        "reviewer",
        "reviewee",
        *criteria,
        f"submitted ({CAT.text('time_zone')})",
        "scoring",
    ):
        table.add_column(column, justify="right" if column in criteria else "left")
    for r in rows.itertuples(index=False):
        cells = (
            str(r.review_id),
            str(r.reviewer_unit_id),
            str(r.reviewee_unit_id),
            *(str(getattr(r, c)) for c in criteria),
            CAT.time(r.submitted_at).removesuffix(f" {CAT.text('time_zone')}"),
            "excluded" if r.excluded else "counted",
        )
        table.add_row(*(Text(c) for c in cells))
    console.print(table)
    if rows.empty:
        console.print(f"no valid review{scope} in {year}", highlight=False)


@review_app.command("exclusions")
def review_exclusions(year: YearOption, db: DbOption = None) -> None:
    """The audit trail of the year's exclusion decisions."""
    from rich.text import Text

    from flows.reading import reading
    from flows.stewardship import CAT
    from warehouse.review_exclusions import decisions

    with reading(db_path(db)) as conn:
        trail = decisions(conn, year)
    table = Table(title=f"{year}: review exclusion decisions")
    for column in (
        "review_id",
        "action",
        "scope",
        "reason",
        "decided_by",
        f"decided_at ({CAT.text('time_zone')})",
    ):
        table.add_column(column)
    for row in trail.itertuples(index=False):
        scope = getattr(row, "scope", None)
        cells = (
            str(row.review_id),
            str(row.action),
            scope if isinstance(scope, str) else "review",
            str(row.reason),
            str(row.decided_by),
            CAT.time(row.decided_at).removesuffix(f" {CAT.text('time_zone')}"),
        )
        table.add_row(*(Text(c) for c in cells))
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
    kind: Annotated[Kind | None, typer.Option("--kind", help="Only this record kind.")] = None,
    record: Annotated[
        str | None,
        typer.Option("--record", help="Only this record's own id (submission_id, review_id, unit_id)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 50,
) -> None:
    """List quarantined records with their own id and status; registry rows are listed in every year."""
    from flows.stewardship import show_quarantine_list

    show_quarantine_list(
        console,
        db_path(db),
        year=year,
        rule=rule,
        kind=kind.value if kind is not None else None,
        limit=limit,
        record_id=record,
    )


@quarantine_app.command("show")
def quarantine_show(quarantine_id: IdArgument, db: DbOption = None) -> None:
    """Show one quarantined record: status, the rules it breaks and why, its decisions and its
    payload (pretty-printed)."""
    from flows.stewardship import show_quarantined_record

    show_quarantined_record(console, db_path(db), quarantine_id)
