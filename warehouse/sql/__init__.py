"""Named SQL statements of the warehouse, one statement per `.sql` file.

Files are named by layer as in dbt: `stg_` typed views over raw payloads, `int_` shared
intermediate relations (a year's quarantine, the accepted submissions and reviews), marts by
business noun, and writes by what they do (`record_…`, `delete_…`). A statement uses a shared
relation with `{{ ref('int_name') }}`, which `statement` replaces by that file's query, so each
relation is written once and every statement using it agrees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

import duckdb

_REF = re.compile(r"\{\{\s*ref\('(\w+)'\)\s*\}\}")


@cache
def statement(name: str) -> str:
    """The text of `warehouse/sql/<name>.sql`, each `{{ ref('int_x') }}` replaced by int_x's query."""
    text = resources.files(__name__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
    return _REF.sub(lambda ref: statement(ref.group(1)).strip(), text)


def with_identifiers(sql: str, **identifiers: str) -> str:
    """`sql` with each `{name}` placeholder replaced by an identifier the caller has quoted.

    Identifiers (a table, an attached database) cannot be bound parameters; they only ever come
    from the warehouse's own constants or its catalog, never from user input.
    """
    for name, identifier in identifiers.items():
        sql = sql.replace("{" + name + "}", identifier)
    return sql


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


def records(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A query's rows as dicts by column name (drained, see `run`), with DuckDB's Python values.

    Without pandas: commands that only read a few rows (`quarantine list`, the refusals of
    `flows.cli.checks`) stay fast (issue 15). NULL is None, never NaN.
    """
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def first_row(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row of a query (drained, see `run`), or None."""
    rows = run(conn, sql, params)
    return rows[0] if rows else None
