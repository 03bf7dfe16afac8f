"""`unionflow assign`: the year's reviewer assignment, or with --check a report of its violations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli.options import DbOption, UsageProblem, YearOption, console, db_path

if TYPE_CHECKING:
    from unionflow.assessment.assignment_rules import AssignmentRules

app = typer.Typer()


@app.command()
def assign(
    year: YearOption,
    db: DbOption = None,
    per_unit: Annotated[int, typer.Option("--per-unit", min=1, max=50, help="Reviewers per unit (K).")] = 5,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed [default: the year].")] = None,
    conflicts: Annotated[
        Path | None, typer.Option("--conflicts", help="CSV of unit pairs declared in conflict.")
    ] = None,
    parent_union_rule: Annotated[
        bool, typer.Option("--parent-union-rule", help="Also forbid pairs under the same parent union.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write assignments.csv into.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Portal base URL to post the assignment to.")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check the year's assignment and reviews; change nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the assignment although the year's reviews are already collected."
        ),
    ] = False,
) -> None:
    """Assign K reviewers to every active unit (no self-review, no same-district pair, balanced)."""
    from flows.cli.checks import writable
    from flows.cli.runtime import flow_runtime

    if conflicts is not None and not conflicts.is_file():
        raise UsageProblem(f"conflicts file {conflicts} does not exist")
    if check:
        from unionflow.assessment.assignment_rules import AssignmentRules
        from unionflow.sources.conflicts import read_conflicts

        declared = read_conflicts(conflicts) if conflicts else frozenset()
        rules = AssignmentRules(
            per_unit=per_unit, avoid_same_parent_union=parent_union_rule, conflicts=declared
        )
        _check_assignment(year, db_path(db), rules)
        return
    writable(db_path(db))
    with flow_runtime() as runtime:
        from flows.assign import assign as assign_flow

        with runtime.running(), console.status(f"assigning reviewers for {year} …"):
            outcome, exported = assign_flow(
                year=year,
                db=str(db_path(db)),
                per_unit=per_unit,
                seed=seed,
                conflicts=str(conflicts) if conflicts else None,
                parent_union_rule=parent_union_rule,
                out=str(out) if out else None,
                to=to,
                force=force,
            )
    console.print(
        f"assigned {outcome.pairs:,} reviews among {outcome.units:,} units (K = {outcome.per_unit}, seed "
        f"{outcome.seed}); reviews per reviewer {outcome.fewest}–{outcome.most}",
        highlight=False,
    )
    short = outcome.short_of_reviewers
    if not short.empty:
        console.print(
            f"[bold red]{len(short)} units cannot get {outcome.per_unit} reviewers under the rules[/]:",
            highlight=False,
        )
        for row in short.itertuples(index=False):
            console.print(
                f"  {row.unit_id}: {row.reviewers} reviewers ({row.missing} missing)", highlight=False
            )
    if exported:
        console.print(f"wrote {exported}", highlight=False)
    if to:
        console.print(f"posted to {to}", highlight=False)


def _check_assignment(year: int, db: Path, rules: AssignmentRules) -> None:
    from rich.table import Table

    from flows.reading import reading
    from warehouse.assignment_checks import CHECK_COLUMNS, check_year

    with reading(db) as conn:
        found = check_year(conn, year, rules)
    if not found:
        console.print(f"{year}: no violations in the assignment or the reviews", highlight=False)
        return
    table = Table(title=f"{year}: {len(found)} violations")
    for column in CHECK_COLUMNS:
        table.add_column(column)
    for row in found:
        table.add_row(*row)
    console.print(table)
