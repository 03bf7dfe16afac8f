"""Same-work floors (issue 20): plain DuckDB SQL doing what a unionflow stage does, on the same data.

Each `.sql` file here is one floor step, written apart from unionflow's own SQL on purpose: a
floor that reused `warehouse/sql` would share its mistakes and its cost, and product code must
never come to depend on a bench file (so they are not in `warehouse/sql`, whose statements any
module may `ref`). A file may hold several statements separated by `;` at a line's end; each gets
only the `$parameters` it names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import duckdb

_PARAMETER = re.compile(r"\$(\w+)")


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of `unionflow/bench/floors/<name>.sql`, in order."""
    text = resources.files(__name__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
    parts = re.split(r";\s*\n", text)
    return tuple(part for part in parts if part.strip() and not _only_comments(part))


def _only_comments(part: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("--") for line in part.splitlines())


def run(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    paths: Mapping[str, str] | None = None,
) -> list[tuple[Any, ...]]:
    """Execute every statement of floor `name`; the rows of the last one (drained).

    `paths` fill `{name}` placeholders with quoted literals: COPY takes no parameter for its
    target, and these paths are the bench's own temporary files, never user input.
    """
    rows: list[tuple[Any, ...]] = []
    given = params or {}
    for text in statements(name):
        sql = text
        for key, path in (paths or {}).items():
            sql = sql.replace("{" + key + "}", "'" + path.replace("'", "''") + "'")
        code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
        named = set(_PARAMETER.findall(code))
        if missing := named - set(given):
            raise KeyError(f"floor {name} needs {sorted(missing)}")
        rows = conn.execute(sql, {key: given[key] for key in named} or None).fetchall()
    return rows


def table(
    conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows of the one query of floor `name` (given only the parameters it names)."""
    (sql,) = statements(name)
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    cursor = conn.execute(sql, {key: params[key] for key in set(_PARAMETER.findall(code))} or None)
    columns = [column[0] for column in cursor.description or ()]
    return columns, cursor.fetchall()
