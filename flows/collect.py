"""The `collect` flow: land a year's records from a folder (or the portal), validate, load."""

from __future__ import annotations

import pandas as pd
from prefect import flow, get_run_logger

from tasks.collect import default_deadline, validate_and_load
from tasks.sources import land_source
from unionflow.records import RECORD_KINDS
from warehouse.collections import (
    Reconciliation,
    file_reconciliation,
    finish_collection,
    save_deadline,
    start_collection,
)
from warehouse.connection import open_warehouse
from warehouse.snapshot import refresh_snapshot


@flow(name="collect", log_prints=False)
def collect(
    year: int,
    source: str,
    db: str = "unionflow.duckdb",
    deadline: str | None = None,
    partitions: int | None = None,
) -> list[Reconciliation]:
    """Collect the year's pilot units, submissions and reviews from `source` into the warehouse.

    Returns one reconciliation per record kind (units, submissions, reviews). `partitions` splits
    validation by record key (default: one partition per 500,000 payloads); the flow's task
    runner decides where partitions run (threads here, or a Dask cluster: see flows/runners.py).
    """
    logger = get_run_logger()
    due = pd.Timestamp(deadline) if deadline else default_deadline(year)
    with open_warehouse(db) as conn:
        collection_id = start_collection(conn, year, source)
        save_deadline(conn, year, due)
        try:
            landings = land_source(conn, source, year, collection_id)
            # Units first: submissions and reviews are checked against the registry just loaded.
            results = [
                validate_and_load(conn, kind, year, collection_id, landings[kind], due, partitions)
                for kind in RECORD_KINDS
            ]
        except BaseException:
            finish_collection(conn, collection_id, "failed")
            raise
        finish_collection(conn, collection_id, "completed")
        files = file_reconciliation(conn, collection_id)  # None when no files were read (the portal)
        # Stewards may read the quarantine while the next flow writes (flows/reading.py).
        refresh_snapshot(conn, db)
    for reconciliation in results:
        logger.info(reconciliation.line())
    if files is not None:
        logger.info(files.line())
    return results
