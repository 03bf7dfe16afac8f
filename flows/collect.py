"""The `collect` flow: land a year's records from a folder (or the portal), validate, load."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger

from tasks.collect import default_deadline, land_from_folder, validate_and_load
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


def is_portal(source: str) -> bool:
    """A source is the portal when it is an http(s) URL, otherwise a folder."""
    return source.startswith(("http://", "https://"))


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
            if is_portal(source):
                from tasks.portal import land_from_portal

                # The three collections are fetched concurrently, so all land before validation.
                landings = land_from_portal(conn, source, year, collection_id)
                results = [
                    validate_and_load(conn, kind, year, collection_id, landings[kind], due, partitions)
                    for kind in RECORD_KINDS
                ]
            else:
                # Units first: submissions and reviews are checked against the registry just loaded.
                results = []
                for kind in RECORD_KINDS:
                    scope = None if kind == "unit" else year
                    landing = land_from_folder(conn, Path(source), kind, scope, collection_id)
                    results.append(
                        validate_and_load(conn, kind, year, collection_id, landing, due, partitions)
                    )
        except BaseException:
            finish_collection(conn, collection_id, "failed")
            raise
        finish_collection(conn, collection_id, "completed")
        files = None if is_portal(source) else file_reconciliation(conn, collection_id)
        # Stewards may read the quarantine while the next flow writes (flows/reading.py).
        refresh_snapshot(conn, db)
    for reconciliation in results:
        logger.info(reconciliation.line())
    if files is not None:
        logger.info(files.line())
    return results
