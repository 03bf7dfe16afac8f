"""Steward decisions to exclude reviews from scoring (audited, append-only)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.connection import WarehouseError
from warehouse.sql import first_row, run


def decide(
    conn: duckdb.DuckDBPyConnection, year: int, review_id: str, action: str, reason: str, decided_by: str
) -> bool:
    """Record an exclude/include decision; False when it would not change the current state."""
    known = first_row(
        conn, "select count(*) from reviews where year = ? and review_id = ?", [year, review_id]
    )
    if not known or not known[0]:
        raise WarehouseError(f"no valid review {review_id!r} in {year}")
    if (review_id in set(excluded_reviews(conn, year))) == (action == "exclude"):
        return False
    row = first_row(conn, "select coalesce(max(decision_id), 0) + 1 from review_exclusions")
    run(
        conn,
        "insert into review_exclusions values (?, ?, ?, ?, ?, ?, ?)",
        [row[0] if row else 1, year, review_id, action, reason, decided_by, dt.datetime.now(dt.UTC)],
    )
    return True


def excluded_reviews(conn: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """Review ids whose latest decision is `exclude`."""
    rows = run(
        conn,
        """
        select review_id from (
            select review_id, action,
                   row_number() over (partition by review_id order by decision_id desc) as nth
            from review_exclusions where year = ?
        ) where nth = 1 and action = 'exclude' order by review_id
        """,
        [year],
    )
    return [row[0] for row in rows]


def decisions(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The audit trail of a year's decisions, oldest first."""
    return conn.sql(
        "select * from review_exclusions where year = $year order by decision_id", params={"year": year}
    ).df()
