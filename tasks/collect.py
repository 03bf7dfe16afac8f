"""Collection steps: read a source, land payloads verbatim, validate and load each record kind."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.exceptions import MissingContextError

from expectations.contracts import Registry, YearContext
from expectations.fields import FIELDS, RECORD_KEY, header_names, json_path
from unionflow.intake.validate import Verdict, check_records, decide_versions
from unionflow.records import FileReceipt, RecordKind
from unionflow.sources.folder import iter_kind_batches
from unionflow.sources.read_ahead import read_ahead
from warehouse import records
from warehouse.collections import Reconciliation, save_reconciliation
from warehouse.payloads import Landing, count_payloads, land, staged
from warehouse.sql import transaction
from warehouse.stewardship import waivers as steward_waivers

# Half a million payloads of one kind take about 1 GiB while being validated.
PAYLOADS_PER_PARTITION = 500_000
# Partitions staged ahead of the workers: enough to keep two workers busy, few enough for memory.
MAX_PARTITIONS_IN_FLIGHT = 3


def default_deadline(year: int) -> pd.Timestamp:
    """SPEC section 4: submissions are due by 15 January of the next year, Beijing time."""
    return pd.Timestamp(f"{year + 1}-01-15T23:59:59+08:00")


@task(cache_policy=NO_CACHE)
def land_from_folder(
    conn: duckdb.DuckDBPyConnection, folder: Path, kind: RecordKind, year: int | None, collection_id: int
) -> Landing:
    """Read one record kind from a source folder and store its payloads verbatim.

    Files are streamed and landed in batches, so memory stays flat however large they are; an
    interrupted collection leaves whole batches, and a re-run recognises them as replays. Reading
    and landing are one task so payloads are dropped once stored (Prefect keeps a task's return
    value for the whole flow run).
    """
    received = stored = 0
    for batch in read_ahead(iter_kind_batches(folder, kind, fields=header_names(kind))):
        landing = land(conn, batch, year=year, source=str(folder), collection_id=collection_id)
        received, stored = received + landing.received, stored + landing.stored
        _say_how_files_were_read(batch.files)
    return Landing(received, stored)


def _say_how_files_were_read(files: list[FileReceipt]) -> None:
    """Log the files an administrator should know about: unreadable ones and workbooks read from
    another sheet than the first (the receipts in `received_files` hold every file)."""
    try:
        logger = get_run_logger()
    except MissingContextError:  # called outside a run (the bench)
        return
    for receipt in files:
        if receipt.unreadable:
            logger.warning("%s: unreadable, quarantined as one malformed row", receipt.path)
        elif receipt.parser.startswith("xlsx (sheet"):
            logger.info("%s: read as %s", receipt.path, receipt.parser)


def _paths(kind: RecordKind) -> dict[str, tuple[str, str]]:
    # Portal exports use English keys; Excel files from Chinese offices use the Chinese headers.
    return {field.name: (json_path(field.name), json_path(field.zh)) for field in FIELDS[kind]}


def partitions_for(conn: duckdb.DuckDBPyConnection, kind: RecordKind, year: int | None) -> int:
    """How many partitions to validate a kind in: one per PAYLOADS_PER_PARTITION stored payloads."""
    stored = count_payloads(conn, kind, year)
    return max(1, -(-stored // PAYLOADS_PER_PARTITION))


def _check_partition(kind: RecordKind, frame: pd.DataFrame, context: YearContext) -> Verdict:
    """Contracts, replays and conflicting duplicates of one partition (runs on any worker)."""
    return check_records(kind, frame, context)


# A separate name from the function, so Dask workers can unpickle the function by reference.
check_partition = task(name="check_partition", cache_policy=NO_CACHE)(_check_partition)


def _check_in_partitions(
    conn: duckdb.DuckDBPyConnection,
    kind: RecordKind,
    scope: int | None,
    context: YearContext,
    partitions: int | None,
) -> Verdict:
    parts = partitions or partitions_for(conn, kind, scope)
    in_flow = FlowRunContext.get() is not None
    checked: list[Verdict] = []
    pending = []
    with staged(conn, kind, scope, _paths(kind), key=RECORD_KEY[kind], parts=parts) as read_partition:
        for part in range(parts):
            # Read one partition at a time: only the partitions in flight are held in memory.
            frame = read_partition(part)
            if in_flow and parts > 1:
                pending.append(check_partition.submit(kind, frame, context))
                if len(pending) >= MAX_PARTITIONS_IN_FLIGHT:
                    checked.append(pending.pop(0).result())
            else:
                checked.append(check_records(kind, frame, context))
            del frame
    checked.extend(future.result() for future in pending)
    return decide_versions(kind, checked)


def validate_kind(
    conn: duckdb.DuckDBPyConnection,
    kind: RecordKind,
    year: int | None,
    deadline: pd.Timestamp | None,
    *,
    partitions: int | None = None,
) -> Verdict:
    """Validate every stored payload of a kind for the year and replace its records and quarantine.

    Validation always starts from the raw payloads, so re-running it with the same payloads gives
    the same records and quarantine however often collection ran. Large kinds are checked in
    partitions of the record key (in parallel on the flow's task runner, e.g. a Dask cluster);
    the result does not depend on the number of partitions.
    """
    scope = None if kind == "unit" else year
    if kind != "unit" and (year is None or deadline is None):
        raise ValueError(f"validating {kind}s needs the year and its deadline")
    context = YearContext(
        # The unit contract depends on neither; 0 and the epoch keep the context total.
        year=year or 0,
        deadline=deadline if deadline is not None else pd.Timestamp(0, tz="UTC"),
        registry=Registry(records.registry(conn)),
        assignments=records.assignments(conn, year) if kind == "review" and year is not None else None,
        # Procedural rules a steward waived by releasing a record (warehouse/stewardship.py).
        waivers=steward_waivers(conn, kind, year),
    )
    verdict = _check_in_partitions(conn, kind, scope, context, partitions)
    with transaction(conn):
        if kind == "unit":
            records.replace_units(conn, verdict.records)
        elif kind == "submission":
            records.replace_submissions(conn, context.year, verdict.records)
        else:
            records.replace_reviews(conn, context.year, verdict.records)
        records.replace_quarantine(conn, kind, scope, verdict.quarantine)
    return verdict


def validate_and_load(
    conn: duckdb.DuckDBPyConnection,
    kind: RecordKind,
    year: int | None,
    collection_id: int,
    landing: Landing,
    deadline: pd.Timestamp | None,
    partitions: int | None = None,
) -> Reconciliation:
    """Apply the record contracts to a kind, load what passes, and reconcile this collection.

    A plain function, not a task: the partition tasks it submits must be children of the flow
    run, so that a Dask worker receives only their frames, never this step's open connection.
    """
    verdict = validate_kind(conn, kind, year, deadline, partitions=partitions)
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
