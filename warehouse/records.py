"""Accepted records, the registry and quarantine: rebuilt set-wise from each validation."""

from __future__ import annotations

import duckdb
import pandas as pd

from unionflow.records import RecordKind
from warehouse.sql import run, statement


def registry(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The pilot-unit registry as the contracts need it."""
    return conn.execute(statement("registry_units")).df()


def assignments(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame | None:
    """Reviewer → reviewee pairs assigned for `year`, or None when the year has none."""
    frame = conn.execute(statement("year_assignments"), [year]).df()
    return None if frame.empty else frame


def replace_units(conn: duckdb.DuckDBPyConnection, records: pd.DataFrame) -> None:
    """Make the registry the accepted current unit versions."""
    current = records[records["status"] == "accepted"]
    conn.register("incoming_units", current)
    try:
        run(conn, statement("delete_units"))
        run(
            conn,
            statement("record_units"),
        )
    finally:
        conn.unregister("incoming_units")


def replace_submissions(conn: duckdb.DuckDBPyConnection, year: int, records: pd.DataFrame) -> None:
    """Make the year's submissions the valid ones (accepted and superseded)."""
    conn.register("incoming_submissions", records)
    try:
        run(conn, statement("delete_year_submissions"), [year])
        run(
            conn,
            statement("record_submissions"),
        )
    finally:
        conn.unregister("incoming_submissions")


def replace_reviews(conn: duckdb.DuckDBPyConnection, year: int, records: pd.DataFrame) -> None:
    """Make the year's reviews the valid ones (accepted and superseded)."""
    conn.register("incoming_reviews", records)
    try:
        run(conn, statement("delete_year_reviews"), [year])
        run(
            conn,
            statement("record_reviews"),
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
            statement("delete_quarantine"),
            [kind, year],
        )
        run(conn, statement("record_quarantine"))
    finally:
        conn.unregister("incoming_quarantine")
