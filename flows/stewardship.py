"""Steward commands: reading the quarantine as Rich tables (read-only on the warehouse)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from expectations.rules import RULES
from warehouse.connection import WarehouseError, open_warehouse
from warehouse.quarantine import count_quarantine, list_quarantine, quarantined_record


def show_quarantine_list(
    console: Console, db: Path, *, year: int | None, rule: str | None, kind: str | None, limit: int
) -> None:
    """Print quarantined records as a table, with how many matched in all."""
    if rule is not None and rule not in RULES:
        raise WarehouseError(f"unknown rule {rule!r}; rule codes are: {', '.join(RULES)}")
    with open_warehouse(db, read_only=True) as conn:
        rows = list_quarantine(conn, year=year, rule=rule, kind=kind, limit=limit)
        total = count_quarantine(conn, year=year, rule=rule, kind=kind)
    table = Table(
        title=f"Quarantine: {total} records" + (f" (first {len(rows)})" if total > len(rows) else "")
    )
    for column in ("id", "kind", "source", "unit", "year", "rule", "message"):
        table.add_column(column, overflow="fold")
    for row in rows.itertuples(index=False):
        table.add_row(
            str(row.quarantine_id),
            row.record_kind,
            row.source_ref,
            "" if row.unit_id is None or row.unit_id != row.unit_id else str(row.unit_id),
            "" if row.year is None or row.year != row.year else str(int(row.year)),
            row.rule,
            row.message,
        )
    console.print(table)


def show_quarantined_record(console: Console, db: Path, quarantine_id: int) -> None:
    """Print one quarantined record: rules, message, provenance and verbatim payload."""
    with open_warehouse(db, read_only=True) as conn:
        record = quarantined_record(conn, quarantine_id)
    if record is None:
        raise WarehouseError(f"no quarantined record with id {quarantine_id}")
    for key in ("quarantine_id", "record_kind", "source", "source_ref", "unit_id", "year", "rule", "message"):
        console.print(f"[bold]{key}[/bold]: {record[key]}", highlight=False, soft_wrap=True)
    console.print(
        f"[bold]received[/bold]: {record['received_at']}  sha256 {record['sha256']}", highlight=False
    )
    console.print("[bold]payload[/bold]:")
    console.print(str(record["payload"]), markup=False, highlight=False, soft_wrap=True)
