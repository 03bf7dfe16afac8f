"""Collection runs, their reconciliation counts and the portal cursors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from unionflow.sources.payloads import RecordKind
from warehouse.sql import first_row, run


@dataclass(frozen=True)
class Reconciliation:
    """SPEC section 5: received = accepted + quarantined + superseded + replayed, per kind."""

    kind: RecordKind
    received: int
    accepted: int
    quarantined: int
    superseded: int
    replayed: int

    @property
    def balanced(self) -> bool:
        return self.received == self.accepted + self.quarantined + self.superseded + self.replayed

    def line(self) -> str:
        """The reconciliation line printed after every collection."""
        label = {"unit": "units", "submission": "submissions", "review": "reviews"}[self.kind]
        return (
            f"{label}: received {self.received} = accepted {self.accepted} + quarantined "
            f"{self.quarantined} + superseded {self.superseded} + replayed {self.replayed}"
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_collection(conn: duckdb.DuckDBPyConnection, year: int | None, source: str) -> int:
    """Open a collection run and return its id (the next integer: deterministic for a fresh file)."""
    # We hold the write lock, so any run still marked running was killed before it could finish.
    run(conn, "update collection_runs set status = 'failed' where status = 'running'")
    row = first_row(conn, "select coalesce(max(collection_id), 0) + 1 from collection_runs")
    collection_id = int(row[0]) if row else 1
    run(
        conn,
        "insert into collection_runs (collection_id, year, source, started_at, status)"
        " values (?, ?, ?, ?, 'running')",
        [collection_id, year, source, _now()],
    )
    return collection_id


def finish_collection(conn: duckdb.DuckDBPyConnection, collection_id: int, status: str) -> None:
    """Close a collection run as `completed` or `failed`."""
    run(
        conn,
        "update collection_runs set finished_at = ?, status = ? where collection_id = ?",
        [_now(), status, collection_id],
    )


def save_reconciliation(conn: duckdb.DuckDBPyConnection, collection_id: int, counts: Reconciliation) -> None:
    """Record one kind's reconciliation for a collection."""
    run(
        conn,
        "insert into collection_counts values (?, ?, ?, ?, ?, ?, ?)",
        [
            collection_id,
            counts.kind,
            counts.received,
            counts.accepted,
            counts.quarantined,
            counts.superseded,
            counts.replayed,
        ],
    )


def cursor_of(
    conn: duckdb.DuckDBPyConnection, source: str, kind: RecordKind, year: int | None
) -> tuple[str | None, str | None]:
    """The stored (cursor, updated_since) of a portal collection, or (None, None)."""
    row = first_row(
        conn,
        "select cursor, updated_since from collection_cursors"
        " where source = ? and record_kind = ? and year is not distinct from ?",
        [source, kind, year],
    )
    return (row[0], row[1]) if row else (None, None)


def save_cursor(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    kind: RecordKind,
    year: int | None,
    cursor: str | None,
    updated_since: str | None,
) -> None:
    """Remember where a portal collection stopped (called in the same transaction as the page)."""
    run(
        conn,
        "delete from collection_cursors where source = ? and record_kind = ? and year is not distinct from ?",
        [source, kind, year],
    )
    run(
        conn,
        "insert into collection_cursors values (?, ?, ?, ?, ?, ?)",
        [source, kind, year, cursor, updated_since, _now()],
    )


def save_deadline(conn: duckdb.DuckDBPyConnection, year: int, deadline: pd.Timestamp) -> None:
    """Remember the deadline a collection of `year` was validated against."""
    run(conn, "insert into year_deadlines values (?, ?, ?)", [year, deadline.to_pydatetime(), _now()])


def deadline_of(conn: duckdb.DuckDBPyConnection, year: int) -> pd.Timestamp | None:
    """The deadline the latest collection of `year` used, or None when it was never collected."""
    row = first_row(
        conn, "select deadline from year_deadlines where year = ? order by recorded_at desc limit 1", [year]
    )
    return None if row is None else pd.Timestamp(row[0])
