"""`unionflow units import`: load the pilot-unit registry from a CSV or XLSX file, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from expectations.fields import header_names
from tasks.collect import validate_and_load, validate_kind
from unionflow.records import RecordBatch
from unionflow.sources.tabular import iter_table_items
from warehouse.collections import Reconciliation, finish_collection, start_collection
from warehouse.connection import open_warehouse
from warehouse.migrations import migrate
from warehouse.payloads import land


@dataclass
class ImportOutcome:
    """Either the rows that were refused (nothing imported) or the reconciliation of the import."""

    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    reconciliation: Reconciliation | None = None


def read_registry_file(file: Path) -> RecordBatch:
    """Every data row of the registry file, referenced by file name and spreadsheet row."""
    batch = RecordBatch("unit")
    for fragment, payload in iter_table_items(file, header_names("unit")):
        batch.add(f"{file.name}#{fragment}" if fragment else file.name, payload)
    return batch


def rejected_rows(batch: RecordBatch) -> list[tuple[str, str, str]]:
    """Validate the file on its own in a throw-away in-memory warehouse: (row, rule, message)."""
    with duckdb.connect() as scratch:
        migrate(scratch)
        collection_id = start_collection(scratch, None, "registry check")
        land(scratch, batch, year=None, source="registry check", collection_id=collection_id)
        verdict = validate_kind(scratch, "unit", None, None)
    bad = verdict.quarantine
    return list(zip(bad["source_ref"], bad["rule"], bad["message"], strict=True))


def import_units(file: Path, db: Path) -> ImportOutcome:
    """Import the registry file into the warehouse unless any row breaks the unit contract."""
    batch = read_registry_file(file)
    rejected = rejected_rows(batch)
    if rejected:
        return ImportOutcome(rejected=rejected)
    source = f"import:{file.name}"
    with open_warehouse(db) as conn:
        collection_id = start_collection(conn, None, source)
        landing = land(conn, batch, year=None, source=source, collection_id=collection_id)
        reconciliation = validate_and_load(conn, "unit", None, collection_id, landing, None)
        finish_collection(conn, collection_id, "completed")
    return ImportOutcome(reconciliation=reconciliation)
