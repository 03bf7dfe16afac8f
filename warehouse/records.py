"""Accepted records, the registry and quarantine: rebuilt set-wise from each validation."""

from __future__ import annotations

import duckdb
import pandas as pd

from unionflow.records import RecordKind
from warehouse.sql import run


def registry(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The pilot-unit registry as the contracts need it."""
    return conn.execute("select unit_id, active_from, active_to, district from units order by unit_id").df()


def assignments(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame | None:
    """Reviewer → reviewee pairs assigned for `year`, or None when the year has none."""
    frame = conn.execute(
        "select reviewer_unit_id, reviewee_unit_id from assignments where year = ?", [year]
    ).df()
    return None if frame.empty else frame


def replace_units(conn: duckdb.DuckDBPyConnection, records: pd.DataFrame) -> None:
    """Make the registry the accepted current unit versions."""
    current = records[records["status"] == "accepted"]
    conn.register("incoming_units", current)
    try:
        run(conn, "delete from units")
        run(
            conn,
            "insert into units by name select unit_id, name, level, batch, sector, district,"
            " parent_union, active_from, active_to, payload_id from incoming_units",
        )
    finally:
        conn.unregister("incoming_units")


def replace_submissions(conn: duckdb.DuckDBPyConnection, year: int, records: pd.DataFrame) -> None:
    """Make the year's submissions the valid ones (accepted and superseded)."""
    conn.register("incoming_submissions", records)
    try:
        run(conn, "delete from submissions where year = ?", [year])
        run(
            conn,
            """
            insert into submissions by name
            select * exclude (innovation_value_cny, innovation_value_cny_text, submitted_text),
                   cast(innovation_value_cny_text as decimal(18, 2)) as innovation_value_cny
            from incoming_submissions
            """,
        )
    finally:
        conn.unregister("incoming_submissions")


def replace_reviews(conn: duckdb.DuckDBPyConnection, year: int, records: pd.DataFrame) -> None:
    """Make the year's reviews the valid ones (accepted and superseded)."""
    conn.register("incoming_reviews", records)
    try:
        run(conn, "delete from reviews where year = ?", [year])
        run(
            conn,
            "insert into reviews by name select * exclude (submitted_text) from incoming_reviews",
        )
    finally:
        conn.unregister("incoming_reviews")


def replace_quarantine(
    conn: duckdb.DuckDBPyConnection, kind: RecordKind, year: int | None, quarantine: pd.DataFrame
) -> None:
    """Make the quarantine of a kind (and year) the rejected records of this validation."""
    conn.register("incoming_quarantine", quarantine)
    try:
        run(
            conn,
            "delete from quarantine where record_kind = ? and year is not distinct from ?",
            [kind, year],
        )
        run(conn, "insert into quarantine by name select * from incoming_quarantine")
    finally:
        conn.unregister("incoming_quarantine")
