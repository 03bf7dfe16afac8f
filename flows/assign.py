"""The `assign` flow: reviewer assignment for a year's mutual review."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.assign import AssignOutcome, assign_task, export_assignment_task, outcome_of, read_conflicts
from tasks.portal import portal_token
from unionflow.assessment.assignment import AssignmentRules
from unionflow.sources.portal_client import post_to_portal
from warehouse import inputs
from warehouse.connection import open_warehouse


def assignment_rules(per_unit: int, conflicts: str | None, parent_union_rule: bool) -> AssignmentRules:
    """The rules of an assignment from the command line's options."""
    declared = read_conflicts(Path(conflicts)) if conflicts else frozenset()
    return AssignmentRules(per_unit=per_unit, avoid_same_parent_union=parent_union_rule, conflicts=declared)


@flow(name="assign")
def assign(
    year: int,
    db: str = "unionflow.duckdb",
    per_unit: int = 5,
    seed: int | None = None,
    conflicts: str | None = None,
    parent_union_rule: bool = False,
    out: str | None = None,
    to: str | None = None,
    force: bool = False,
) -> tuple[AssignOutcome, Path | None]:
    """Assign K reviewers to every active unit; store, export (assignments.csv) and post it."""
    rules = assignment_rules(per_unit, conflicts, parent_union_rule)
    used_seed = year if seed is None else seed
    with open_warehouse(db) as conn:
        assignment = assign_task(conn, year, rules, used_seed, force)
        units = len(inputs.active_units(conn, year))
        exported = export_assignment_task(conn, year, Path(out)) if out else None
    if to:
        payload = {
            "year": year,
            "seed": used_seed,
            "pairs": assignment.pairs.to_dict("records"),
        }
        # The same assignment always gets the same key, so a retried post is applied once.
        key = f"assignments-{year}-seed{used_seed}-k{per_unit}-{len(assignment.pairs)}"
        post_to_portal(to, f"/api/v1/assignments/{year}", payload, key, portal_token())
    return outcome_of(year, assignment, rules, used_seed, units), exported
