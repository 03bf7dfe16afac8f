"""Named SQL statements of the warehouse, one statement per `.sql` file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

import duckdb


@cache
def statement(name: str) -> str:
    """The text of `warehouse/sql/<name>.sql`."""
    return resources.files(__name__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def run(
    conn: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[Any] | Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Execute one statement and drain its result.

    DuckDB 2.0 keeps a statement's result open on the connection until it is fetched, and refuses
    other work meanwhile; every statement goes through here so none is left half-read.
    """
    return conn.execute(sql, params).fetchall()


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed whole, or rolled back on any error."""
    run(conn, "begin transaction")
    try:
        yield
    except BaseException:
        run(conn, "rollback")
        raise
    run(conn, "commit")


def materialise(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    table: str,
    params: Sequence[Any] | Mapping[str, Any] | None = None,
) -> None:
    """Store the result of the query `name` as the temporary table `table` (replacing it).

    As in dbt, a model file holds only its query; how it is materialised is the caller's choice.
    `table` is one of the warehouse's own identifiers, never user input.
    """
    run(conn, f"create or replace temp table {table} as {statement(name)}", params)


def first_row(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query (drained, see `run`), or None."""
    rows = run(conn, sql, params)
    return rows[0] if rows else None
