"""Reviewer assignment: compute, store, export and post the year's mutual-review pairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from unionflow.assessment.assignment import Assignment, AssignmentRules, assign_reviewers, balance
from unionflow.reports.csv_files import formatted_rows, write_csv

# read_conflicts and check_year live below tasks (no Prefect) so `assign --check` stays fast.
from unionflow.sources.conflicts import read_conflicts
from warehouse import inputs
from warehouse.assignment_checks import check_year
from warehouse.assignments import assignment_of, replace_assignments, reviewed_pairs
from warehouse.connection import WarehouseError
from warehouse.missing import no_active_units
from warehouse.payloads import count_payloads

__all__ = [
    "ASSIGNMENT_FORMATS",
    "AssignOutcome",
    "AssignmentRefused",
    "assign_task",
    "check_year",
    "export_assignment_task",
    "orphaned_reviews",
    "outcome_of",
    "read_conflicts",
]


class AssignmentRefused(WarehouseError):
    """The year's reviews are already collected: a new assignment would invalidate them."""


@dataclass(frozen=True)
class AssignOutcome:
    """What an assignment run produced."""

    year: int
    pairs: int
    units: int
    per_unit: int
    seed: int
    fewest: int
    most: int
    short_of_reviewers: pd.DataFrame


def orphaned_reviews(reviews: pd.DataFrame, pairs: pd.DataFrame) -> int:
    """How many of `reviews` (reviewer → reviewee) an assignment of `pairs` would not cover."""
    assigned = set(zip(pairs["reviewer_unit_id"], pairs["reviewee_unit_id"], strict=True))
    reviewed = zip(reviews["reviewer_unit_id"], reviews["reviewee_unit_id"], strict=True)
    return sum(pair not in assigned for pair in reviewed)


@task(cache_policy=NO_CACHE)
def assign_task(
    conn: duckdb.DuckDBPyConnection, year: int, rules: AssignmentRules, seed: int, force: bool = False
) -> Assignment:
    """Assign reviewers among the year's active units and store the assignment.

    Once reviews of the year have been collected, a new assignment would turn every review outside
    it into `unassigned` at the next validation: refused (`AssignmentRefused`, exit 2) unless
    `force`, saying how many valid reviews that would be.
    """
    units = inputs.active_units(conn, year)
    if units.empty:
        raise no_active_units(year)
    assignment = assign_reviewers(units, rules, seed)
    received = count_payloads(conn, "review", year)
    if received and not force:
        reviews = reviewed_pairs(conn, year)
        orphaned = orphaned_reviews(reviews, assignment.pairs)
        raise AssignmentRefused(
            f"{year} already has {received:,} reviews collected ({len(reviews):,} valid); a new assignment "
            f"would make {orphaned:,} of the valid reviews `unassigned` at the next validation. "
            "Nothing was changed; pass --force to replace the assignment anyway "
            f"(then collect {year} again to re-validate the reviews)"
        )
    replace_assignments(conn, year, assignment.pairs, seed)
    return assignment


ASSIGNMENT_FORMATS = (
    ("year", "int"),
    ("reviewer_unit_id", "text"),
    ("reviewer_name", "text"),
    ("reviewee_unit_id", "text"),
    ("reviewee_name", "text"),
)


@task(cache_policy=NO_CACHE)
def export_assignment_task(conn: duckdb.DuckDBPyConnection, year: int, out: Path) -> Path:
    """Write assignments.csv (reviewer and reviewee ids and names) into `out`."""
    names = inputs.active_units(conn, year).set_index("unit_id")["name"]
    pairs = assignment_of(conn, year)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "assignments.csv"
    table = pd.DataFrame(
        {
            "year": year,
            "reviewer_unit_id": pairs["reviewer_unit_id"],
            "reviewer_name": pairs["reviewer_unit_id"].map(names),
            "reviewee_unit_id": pairs["reviewee_unit_id"],
            "reviewee_name": pairs["reviewee_unit_id"].map(names),
        }
    )
    write_csv(path, tuple(name for name, _ in ASSIGNMENT_FORMATS), formatted_rows(table, ASSIGNMENT_FORMATS))
    return path


def outcome_of(
    year: int, assignment: Assignment, rules: AssignmentRules, seed: int, units: int
) -> AssignOutcome:
    """A summary of an assignment for printing."""
    fewest, most = balance(assignment.pairs)
    return AssignOutcome(
        year, len(assignment.pairs), units, rules.per_unit, seed, fewest, most, assignment.short_of_reviewers
    )
