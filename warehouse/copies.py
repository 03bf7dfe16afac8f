"""Whole-database copies of the warehouse: the read snapshot and the backups around a publication."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from warehouse.sql import first_row, run, statement


def wal_of(path: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file."""
    return path.with_name(path.name + ".wal")


def quoted(identifier: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal, for the statements that take no bound parameters (ATTACH, EXPORT)."""
    return "'" + text.replace("'", "''") + "'"


def settled(conn: duckdb.DuckDBPyConnection, db: Path) -> bool:
    """Checkpoint; True when the live file now holds every committed change (its WAL is empty)."""
    run(conn, "checkpoint")
    wal = wal_of(db)
    return not wal.exists() or wal.stat().st_size == 0


def copy_database(conn: duckdb.DuckDBPyConnection, db: Path, target: Path) -> None:
    """Write a self-contained copy of the warehouse open on `conn` (file `db`) to `target`.

    A settled live file is a whole database, so a byte copy will do: about 1 s for a 1.4 GB
    warehouse, where rewriting every table (`copy from database`) took 23.5 s and a Parquet
    export 10 s. `conn` is the only writer and runs nothing while the file is copied. Should
    changes remain in the WAL after the checkpoint, the tables are copied instead.
    """
    for leftover in (target, wal_of(target)):
        leftover.unlink(missing_ok=True)
    if settled(conn, db):
        shutil.copyfile(db, target)
        return
    source = first_row(conn, statement("current_database"))
    assert source is not None
    alias = "unionflow_copy_target"
    run(conn, f"attach {literal(str(target))} as {alias}")
    try:
        run(conn, f"copy from database {quoted(str(source[0]))} to {alias}")
    finally:
        # Detaching checkpoints the copy into one self-contained file (no WAL left beside it).
        run(conn, f"detach {alias}")
