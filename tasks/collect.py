"""Collection steps: read a source, land payloads verbatim, validate and load each record kind."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from expectations.contracts import Registry, YearContext
from expectations.fields import FIELDS, json_path
from intake.validate import Verdict, validate_records
from sources.folder import read_kind
from sources.payloads import RecordKind
from warehouse import records
from warehouse.collections import Reconciliation, save_reconciliation
from warehouse.payloads import Landing, land, stage
from warehouse.sql import transaction
from warehouse.stewardship import waivers as steward_waivers


def default_deadline(year: int) -> pd.Timestamp:
    """SPEC section 4: submissions are due by 15 January of the next year, Beijing time."""
    return pd.Timestamp(f"{year + 1}-01-15T23:59:59+08:00")


@task(cache_policy=NO_CACHE)
def land_from_folder(
    conn: duckdb.DuckDBPyConnection, folder: Path, kind: RecordKind, year: int | None, collection_id: int
) -> Landing:
    """Read one record kind from a source folder and store its payloads verbatim.

    Reading and landing are one task so the payloads are dropped as soon as they are stored
    (Prefect keeps a task's return value for the whole flow run).
    """
    batch = read_kind(folder, kind)
    return land(conn, batch, year=year, source=str(folder), collection_id=collection_id)


def _paths(kind: RecordKind) -> dict[str, tuple[str, str]]:
    # Portal exports use English keys; Excel files from Chinese offices use the Chinese headers.
    return {field.name: (json_path(field.name), json_path(field.zh)) for field in FIELDS[kind]}


def validate_kind(
    conn: duckdb.DuckDBPyConnection, kind: RecordKind, year: int | None, deadline: pd.Timestamp | None
) -> Verdict:
    """Validate every stored payload of a kind for the year and replace its records and quarantine.

    Validation always starts from the raw payloads, so re-running it with the same payloads gives
    the same records and quarantine however often collection ran.
    """
    scope = None if kind == "unit" else year
    if kind != "unit" and (year is None or deadline is None):
        raise ValueError(f"validating {kind}s needs the year and its deadline")
    staged = stage(conn, kind, scope, _paths(kind))
    context = YearContext(
        # The unit contract depends on neither; 0 and the epoch keep the context total.
        year=year or 0,
        deadline=deadline if deadline is not None else pd.Timestamp(0, tz="UTC"),
        registry=Registry(records.registry(conn)),
        assignments=records.assignments(conn, year) if kind == "review" and year is not None else None,
        # Procedural rules a steward waived by releasing a record (warehouse/stewardship.py).
        waivers=steward_waivers(conn, kind, year),
    )
    verdict = validate_records(kind, staged, context)
    with transaction(conn):
        if kind == "unit":
            records.replace_units(conn, verdict.records)
        elif kind == "submission":
            records.replace_submissions(conn, context.year, verdict.records)
        else:
            records.replace_reviews(conn, context.year, verdict.records)
        records.replace_quarantine(conn, kind, scope, verdict.quarantine)
    return verdict


@task(cache_policy=NO_CACHE)
def validate_and_load(
    conn: duckdb.DuckDBPyConnection,
    kind: RecordKind,
    year: int | None,
    collection_id: int,
    landing: Landing,
    deadline: pd.Timestamp | None,
) -> Reconciliation:
    """Apply the record contracts to a kind, load what passes, and reconcile this collection."""
    verdict = validate_kind(conn, kind, year, deadline)
    mine = verdict.status[verdict.status["collection_id"] == collection_id]
    counts = mine["status"].value_counts()
    reconciliation = Reconciliation(
        kind=kind,
        received=landing.received,
        accepted=int(counts.get("accepted", 0)),
        quarantined=int(counts.get("quarantined", 0)),
        superseded=int(counts.get("superseded", 0)),
        replayed=int(counts.get("replayed", 0)) + landing.replayed,
    )
    save_reconciliation(conn, collection_id, reconciliation)
    return reconciliation
