"""Reading the quarantine for data stewards."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from warehouse.sql import records, statement

#: Where a record's own id sits in its payload, per kind: (JSON path of the field, of its alias).
RecordKeys = Mapping[str, tuple[str, str]]


def quarantine_records(
    conn: duckdb.DuckDBPyConnection,
    keys: RecordKeys,
    *,
    year: int | None = None,
    rule: str | None = None,
    kind: str | None = None,
    record_id: str | None = None,
    quarantine_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, object]]:
    """Quarantined records with their own id and latest decision (`quarantine_records.sql`), as
    DuckDB rows (no pandas: `quarantine list` stays fast).

    A year filter keeps the registry's rows (units have no year). The `total` column counts the
    matching rows before `limit`.
    """
    params: dict[str, object] = {
        "year": year,
        "rule": rule,
        "kind": kind,
        "record_id": record_id,
        "quarantine_id": quarantine_id,
        "limit": limit,
    }
    for name in ("unit", "submission", "review"):
        params[f"{name}_key"], params[f"{name}_alias"] = keys[name]
    return records(conn, statement("quarantine_records"), params)


def quarantined_record(conn: duckdb.DuckDBPyConnection, quarantine_id: int) -> dict[str, object] | None:
    """One quarantined record with its verbatim payload and where and when it was received."""
    found = records(conn, statement("quarantined_record"), {"id": quarantine_id})
    return found[0] if found else None
