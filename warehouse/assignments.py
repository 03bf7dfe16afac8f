"""Reviewer assignments of a year."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

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
