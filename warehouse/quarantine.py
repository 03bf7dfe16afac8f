"""Reading the quarantine for data stewards."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.sql import first_row


def list_quarantine(
    conn: duckdb.DuckDBPyConnection,
    *,
    year: int | None = None,
    rule: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Quarantined records, optionally filtered by year, rule code and record kind."""
    return conn.sql(
        """
        select quarantine_id, record_kind, source_ref, unit_id, year, rule, message
        from quarantine
        where ($year is null or year = $year)
          and ($rule is null or list_contains(string_split(rule, ';'), $rule))
          and ($kind is null or record_kind = $kind)
        order by quarantine_id
        limit coalesce($limit, 9223372036854775807)
        """,
        params={"year": year, "rule": rule, "kind": kind, "limit": limit},
    ).df()


def count_quarantine(
    conn: duckdb.DuckDBPyConnection,
    *,
    year: int | None = None,
    rule: str | None = None,
    kind: str | None = None,
) -> int:
    """How many records `list_quarantine` would return without a limit."""
    row = first_row(
        conn,
        """
        select count(*) from quarantine
        where ($year is null or year = $year)
          and ($rule is null or list_contains(string_split(rule, ';'), $rule))
          and ($kind is null or record_kind = $kind)
        """,
        {"year": year, "rule": rule, "kind": kind},
    )
    return int(row[0]) if row else 0


def quarantined_record(conn: duckdb.DuckDBPyConnection, quarantine_id: int) -> dict[str, object] | None:
    """One quarantined record with its verbatim payload and where and when it was received."""
    frame = conn.sql(
        """
        select q.quarantine_id, q.record_kind, q.source_ref, q.unit_id, q.year, q.rule, q.message,
               p.source, p.received_at, p.sha256, p.payload
        from quarantine q join raw_payloads p using (payload_id)
        where q.quarantine_id = $id
        """,
        params={"id": quarantine_id},
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()
