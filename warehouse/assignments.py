"""Reviewer assignments of a year."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from unionflow.assessment.assignment import AssignmentRules, violations
from warehouse.inputs import active_units
from warehouse.sql import run, statement, transaction


def replace_assignments(conn: duckdb.DuckDBPyConnection, year: int, pairs: pd.DataFrame, seed: int) -> None:
    """Make `pairs` (reviewer_unit_id, reviewee_unit_id) the year's assignment."""
    table = pairs.assign(year=year, seed=seed, created_at=dt.datetime.now(dt.UTC))
    with transaction(conn):
        run(conn, statement("delete_year_assignments"), [year])
        conn.register("incoming_assignments", table)
        try:
            run(
                conn,
                statement("record_assignments"),
            )
        finally:
            conn.unregister("incoming_assignments")


def assignment_of(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The year's assigned pairs, sorted."""
    return conn.sql(
        statement("assignments"),
        params={"year": year},
    ).df()


def reviewed_pairs(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The pairs of the year's valid current reviews."""
    return conn.sql(statement("reviewed_pairs"), params={"year": year}).df()


def check_year(conn: duckdb.DuckDBPyConnection, year: int, rules: AssignmentRules) -> pd.DataFrame:
    """Every rule broken by the year's assignment and by its valid reviews, without changing anything.

    Columns: source (assignment | reviews), reviewer_unit_id, reviewee_unit_id, rule, detail.
    """
    units = active_units(conn, year)
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
