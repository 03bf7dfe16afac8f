"""A read snapshot of the warehouse, so read-only commands work while a flow writes.

DuckDB locks the file for one writing process, and refuses even a read-only connection from another
process while that lock is held. Reports and steward listings must still work during a long
collection, so every writing flow ends by refreshing a copy `<db>.snapshot.duckdb` (`refresh_snapshot`),
and readers go through `open_for_reading`: the live file when it is free, else the snapshot, with its
time so the caller can say how fresh the answer is.

The copy (a byte copy of the checkpointed live file) is written to a temporary file and renamed into
place: readers that have the old snapshot open keep reading it (POSIX rename), new readers get the
new one, nobody sees a half-written file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb

from warehouse.connection import WarehouseLocked, connect
from warehouse.copies import copy_database, literal
from warehouse.sql import first_row, run, statement, with_identifiers

SNAPSHOT_SUFFIX = ".snapshot.duckdb"


def snapshot_path(db: Path | str) -> Path:
    """`warehouse.duckdb` → `warehouse.duckdb.snapshot.duckdb`, next to the live file."""
    db = Path(db)
    return db.with_name(db.name + SNAPSHOT_SUFFIX)


def _copy_into_snapshot(conn: duckdb.DuckDBPyConnection, db: Path) -> Path:
    target = snapshot_path(db)
    partial = target.with_name(target.name + ".tmp")
    copy_database(conn, db, partial)
    alias = "unionflow_snapshot_target"
    run(conn, f"attach {literal(str(partial))} as {alias}")
    try:
        run(
            conn,
            with_identifiers(statement("record_snapshot_info"), snapshot=alias),
            [str(db)],
        )
    finally:
        run(conn, f"detach {alias}")
    os.replace(partial, target)
    return target


def refresh_snapshot(
    conn_or_path: duckdb.DuckDBPyConnection | Path | str, db: Path | str | None = None
) -> Path:
    """Rewrite the read snapshot of the warehouse; returns the snapshot's path.

    Call it at the end of a writing flow, either with the flow's open writing connection
    (`refresh_snapshot(conn)`: no second open, no lock dance) or with the warehouse path after the
    connection is closed. With a connection, `db` may name the live file; by default it is found
    from the connection's catalog.
    """
    if isinstance(conn_or_path, duckdb.DuckDBPyConnection):
        live = Path(db) if db is not None else _database_file(conn_or_path)
        return _copy_into_snapshot(conn_or_path, live)
    live = Path(conn_or_path)
    conn = connect(live)
    try:
        return _copy_into_snapshot(conn, live)
    finally:
        conn.close()


def _database_file(conn: duckdb.DuckDBPyConnection) -> Path:
    row = first_row(conn, statement("database_path"))
    if row is None or not row[0]:
        raise ValueError("the connection is not to a warehouse file (in-memory database?)")
    return Path(str(row[0]))


@dataclass
class ReadSource:
    """A read-only connection and where it reads from: the live warehouse or its snapshot."""

    conn: duckdb.DuckDBPyConnection
    path: Path
    from_snapshot: bool
    taken_at: dt.datetime | None = None

    def notice(self) -> str | None:
        """One line for the user when the answer comes from the snapshot, else None."""
        if not self.from_snapshot:
            return None
        when = self.taken_at.isoformat(sep=" ", timespec="seconds") if self.taken_at else "an unknown time"
        return (
            f"the warehouse is being written by another process; showing the snapshot of {when} ({self.path})"
        )

    def close(self) -> None:
        """Close the connection (releases the shared read lock)."""
        self.conn.close()

    def __enter__(self) -> ReadSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_for_reading(db: Path | str) -> ReadSource:
    """Open the warehouse read-only, falling back to its snapshot while another process writes.

    Raises `WarehouseError` when the live file does not exist, and `WarehouseLocked` when it is
    locked and no snapshot has been written yet. Use it as a context manager:

        with open_for_reading(db) as source:
            if source.notice():
                errors.print(source.notice())
            rows = list_quarantine(source.conn, ...)
    """
    db = Path(db)
    try:
        return ReadSource(connect(db, read_only=True), db, from_snapshot=False)
    except WarehouseLocked as locked:
        copy = snapshot_path(db)
        if not copy.exists():
            raise WarehouseLocked(f"{locked}; no read snapshot {copy} exists yet") from None
        conn = duckdb.connect(str(copy), read_only=True)
        taken_at = None
        with contextlib.suppress(duckdb.Error):
            row = first_row(conn, statement("snapshot_taken_at"))
            taken_at = row[0] if row else None
        return ReadSource(conn, copy, from_snapshot=True, taken_at=taken_at)
