"""Reviewer assignment: compute, store, export and post the year's mutual-review pairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from unionflow.assessment.assignment import Assignment, AssignmentRules, assign_reviewers, balance, violations
from unionflow.reports.csv_files import formatted_rows, write_csv
from unionflow.sources.payloads import SourceError
from unionflow.sources.tabular import iter_csv_rows
from warehouse import inputs
from warehouse.assignments import assignment_of, replace_assignments, reviewed_pairs
from warehouse.connection import MissingData, WarehouseError
from warehouse.payloads import count_payloads


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


def read_conflicts(path: Path) -> frozenset[tuple[str, str]]:
    """Declared conflicts from a CSV of unit pairs (the first two columns; header row required)."""
    if not path.is_file():
        raise SourceError(f"conflicts file {path} does not exist")
    import orjson

    pairs = set()
    for row_number, payload in iter_csv_rows(path):
        values = [str(v).strip() for v in orjson.loads(payload).values()]
        if len(values) < 2 or not values[0] or not values[1]:
            raise SourceError(f"{path.name} row {row_number}: a conflict needs two unit ids")
        pairs.add((values[0], values[1]))
    return frozenset(pairs)


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
        raise MissingData(f"no active pilot units for {year}; import the registry or collect first")
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


def check_year(conn: duckdb.DuckDBPyConnection, year: int, rules: AssignmentRules) -> pd.DataFrame:
    """Every rule broken by the year's assignment and by its valid reviews, without changing anything.

    Columns: source (assignment | reviews), reviewer_unit_id, reviewee_unit_id, rule, detail.
    """
    units = inputs.active_units(conn, year)
    assigned = assignment_of(conn, year)
    reviews = reviewed_pairs(conn, year)
    found = [
        violations(assigned, units, rules).assign(source="assignment"),
        violations(reviews, units, rules).assign(source="reviews"),
    ]
    if not assigned.empty and not reviews.empty:
        known = set(zip(assigned["reviewer_unit_id"], assigned["reviewee_unit_id"], strict=True))
        unassigned = reviews[
            [
                (r, e) not in known
                for r, e in zip(reviews["reviewer_unit_id"], reviews["reviewee_unit_id"], strict=True)
            ]
        ]
        found.append(
            unassigned[["reviewer_unit_id", "reviewee_unit_id"]].assign(
                rule="unassigned", detail="reviewed without being assigned", source="reviews"
            )
        )
    columns = ["source", "reviewer_unit_id", "reviewee_unit_id", "rule", "detail"]
    return pd.concat(found, ignore_index=True)[columns].sort_values(columns, ignore_index=True)
