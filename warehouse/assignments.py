"""Reviewer assignments of a year."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.sql import run, transaction


def replace_assignments(conn: duckdb.DuckDBPyConnection, year: int, pairs: pd.DataFrame, seed: int) -> None:
    """Make `pairs` (reviewer_unit_id, reviewee_unit_id) the year's assignment."""
    table = pairs.assign(year=year, seed=seed, created_at=dt.datetime.now(dt.UTC))
    with transaction(conn):
        run(conn, "delete from assignments where year = ?", [year])
        conn.register("incoming_assignments", table)
        try:
            run(
                conn,
                "insert into assignments by name select year, reviewer_unit_id, reviewee_unit_id, seed,"
                " created_at from incoming_assignments",
            )
        finally:
            conn.unregister("incoming_assignments")


def assignment_of(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The year's assigned pairs, sorted."""
    return conn.sql(
        """
        select reviewer_unit_id, reviewee_unit_id from assignments
        where year = $year order by reviewee_unit_id, reviewer_unit_id
        """,
        params={"year": year},
    ).df()


def reviewed_pairs(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The pairs of the year's valid current reviews."""
    return conn.sql(
        """
        select reviewer_unit_id, reviewee_unit_id, review_id from reviews
        where year = $year and status = 'accepted' order by review_id
        """,
        params={"year": year},
    ).df()
