"""Steward decisions to exclude reviews from scoring (audited, append-only).

A decision concerns one review (`review exclude ID`) or every valid review of one reviewer at once
(`review exclude --reviewer UNIT`, the usual answer to a flagged reviewer): one row per review
either way, written in one transaction, the latter marked with `scope = 'reviewer:UNIT'`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.connection import WarehouseError
from warehouse.sql import first_row, run, statement, transaction


def decide(
    conn: duckdb.DuckDBPyConnection, year: int, review_id: str, action: str, reason: str, decided_by: str
) -> bool:
    """Record an exclude/include decision; False when it would not change the current state."""
    known = first_row(conn, statement("review_count"), [year, review_id])
    if not known or not known[0]:
        raise WarehouseError(f"no valid review {review_id!r} in {year}")
    if (review_id in set(excluded_reviews(conn, year))) == (action == "exclude"):
        return False
    _record(conn, year, review_id, action, reason, decided_by, dt.datetime.now(dt.UTC), None)
    return True


def _record(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    review_id: str,
    action: str,
    reason: str,
    decided_by: str,
    at: dt.datetime,
    scope: str | None,
) -> None:
    row = first_row(conn, statement("next_review_exclusion_id"))
    run(
        conn,
        statement("record_review_exclusion"),
        {
            "decision_id": row[0] if row else 1,
            "year": year,
            "review_id": review_id,
            "action": action,
            "reason": reason,
            "decided_by": decided_by,
            "decided_at": at,
            "scope": scope,
        },
    )


def decide_reviewer(
    conn: duckdb.DuckDBPyConnection, year: int, reviewer: str, action: str, reason: str, decided_by: str
) -> tuple[list[str], int]:
    """Exclude (or include) every valid review of `reviewer` in `year` in one audited step.

    Returns (the reviews whose state changed, how many valid reviews the reviewer has); reviews
    already in the wanted state are left alone. Raises when the reviewer has no valid review.
    """
    reviews = review_list(conn, year, reviewer=reviewer)
    if reviews.empty:
        raise WarehouseError(f"{reviewer} has no valid review in {year}")
    wanted = action == "exclude"
    changing = [
        str(r)
        for r, excluded in zip(reviews["review_id"], reviews["excluded"], strict=True)
        if bool(excluded) != wanted
    ]
    at = dt.datetime.now(dt.UTC)
    with transaction(conn):
        for review_id in changing:
            _record(conn, year, review_id, action, reason, decided_by, at, f"reviewer:{reviewer}")
    return changing, len(reviews)


def review_list(
    conn: duckdb.DuckDBPyConnection, year: int, *, reviewer: str | None = None, reviewee: str | None = None
) -> pd.DataFrame:
    """The year's valid reviews (optionally of one reviewer or reviewee) with their exclusion state."""
    return conn.sql(
        statement("review_list"), params={"year": year, "reviewer": reviewer, "reviewee": reviewee}
    ).df()


def excluded_reviews(conn: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """Review ids whose latest decision is `exclude`."""
    rows = run(conn, statement("excluded_reviews"), {"year": year})
    return [row[0] for row in rows]


def decisions(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The audit trail of a year's decisions, oldest first."""
    return conn.sql(statement("review_exclusions"), params={"year": year}).df()
