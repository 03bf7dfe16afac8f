"""Opening the DuckDB warehouse: one writer at a time, schema always migrated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from unionflow.next_step import Refusal, RunCommand
from warehouse.migrations import migrate

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>\S+)(?: \(PID (?P<pid>\d+)\))?")


class WarehouseError(Refusal):
    """A problem with the warehouse file that the user can fix (exit code 2), with its next steps."""


class MissingData(WarehouseError):
    """The warehouse lacks what a step needs (e.g. allocating a year that was never scored)."""


class WarehouseLocked(WarehouseError):
    """Another process holds the DuckDB write lock on the file."""


def _explain_lock(path: Path, error: duckdb.IOException) -> WarehouseLocked:
    match = _LOCK_HOLDER.search(str(error))
    holder = f" (process {match['pid']})" if match and match["pid"] else ""
    return WarehouseLocked(
        f"warehouse {path} is in use by another unionflow process{holder}; "
        "wait for it to finish (one writer at a time) and try again"
    )


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, migrating it to the current schema unless read-only.

    A lock held by another process becomes a `WarehouseLocked` with one clear sentence,
    so the CLI can print it and exit 2 instead of showing DuckDB's traceback.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"warehouse {path} does not exist", next_steps=(RunCommand.of("collect"),))
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "Could not set lock" in str(error):
            raise _explain_lock(path, error) from None
        raise WarehouseError(f"cannot open warehouse {path}: {error}") from None
    if not read_only:
        migrate(conn)
    return conn


@contextmanager
def open_warehouse(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect` as a context manager that always closes the connection (and so the lock)."""
    conn = connect(path, read_only=read_only)
    try:
        yield conn
    finally:
        conn.close()
