"""Collection runs, their reconciliation counts and the portal cursors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from unionflow.records import RecordKind
from warehouse.sql import first_row, run, statement


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


@dataclass(frozen=True)
class FileReconciliation:
    """Issue 14: every file a folder collection read was parsed (its rows became records or
    `malformed` rows) or is unreadable (it became one `malformed` row naming it)."""

    received: int
    parsed: int
    unreadable: int

    @property
    def balanced(self) -> bool:
        return self.received == self.parsed + self.unreadable

    def line(self) -> str:
        """The files line printed after the record lines of a folder collection."""
        return f"files: received {self.received} = parsed {self.parsed} + unreadable {self.unreadable}"


def file_reconciliation(
    conn: duckdb.DuckDBPyConnection, collection_id: int | None = None
) -> FileReconciliation | None:
    """The files line of a collection (default: the latest that read files), or None when it
    read no files (a portal collection)."""
    if collection_id is None:
        latest = first_row(conn, statement("latest_folder_collection"))
        if latest is None or latest[0] is None:
            return None
        collection_id = int(latest[0])
    row = first_row(conn, statement("file_reconciliation"), {"collection_id": collection_id})
    if row is None or not row[0]:
        return None
    return FileReconciliation(int(row[0]), int(row[1]), int(row[2]))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_collection(conn: duckdb.DuckDBPyConnection, year: int | None, source: str) -> int:
    """Open a collection run and return its id (the next integer: deterministic for a fresh file)."""
    run(conn, statement("fail_running_collections"))
    row = first_row(conn, statement("next_collection_id"))
    collection_id = int(row[0]) if row else 1
    run(
        conn,
        statement("start_collection"),
        {"collection_id": collection_id, "year": year, "source": source, "started_at": _now()},
    )
    return collection_id


def finish_collection(conn: duckdb.DuckDBPyConnection, collection_id: int, status: str) -> None:
    """Close a collection run as `completed` or `failed`."""
    run(
        conn,
        statement("finish_collection"),
        {"finished_at": _now(), "status": status, "collection_id": collection_id},
    )


def save_reconciliation(conn: duckdb.DuckDBPyConnection, collection_id: int, counts: Reconciliation) -> None:
    """Record one kind's reconciliation for a collection."""
    run(
        conn,
        statement("record_collection_counts"),
        {
            "collection_id": collection_id,
            "kind": counts.kind,
            "received": counts.received,
            "accepted": counts.accepted,
            "quarantined": counts.quarantined,
            "superseded": counts.superseded,
            "replayed": counts.replayed,
        },
    )


def cursor_of(
    conn: duckdb.DuckDBPyConnection, source: str, kind: RecordKind, year: int | None
) -> tuple[str | None, str | None]:
    """The stored (cursor, updated_since) of a portal collection, or (None, None)."""
    row = first_row(conn, statement("collection_cursor"), {"source": source, "kind": kind, "year": year})
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
    where = {"source": source, "kind": kind, "year": year}
    run(conn, statement("delete_collection_cursor"), where)
    run(
        conn,
        statement("record_collection_cursor"),
        {**where, "cursor": cursor, "updated_since": updated_since, "updated_at": _now()},
    )


def save_deadline(conn: duckdb.DuckDBPyConnection, year: int, deadline: pd.Timestamp) -> None:
    """Remember the deadline a collection of `year` was validated against."""
    run(
        conn,
        statement("record_year_deadline"),
        {"year": year, "deadline": deadline.to_pydatetime(), "recorded_at": _now()},
    )


def deadline_of(conn: duckdb.DuckDBPyConnection, year: int) -> pd.Timestamp | None:
    """The deadline the latest collection of `year` used, or None when it was never collected."""
    row = first_row(conn, statement("year_deadline"), {"year": year})
    return None if row is None else pd.Timestamp(row[0])
