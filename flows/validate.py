"""The `validate` flow: the dataset suites on what was collected for a year (SPEC section 3)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from tasks.validate import ValidationOutcome, validate_records_task
from warehouse.connection import open_warehouse


@flow(name="validate", log_prints=False)
def validate(year: int, db: str = "unionflow.duckdb", docs: str | None = None) -> ValidationOutcome:
    """Validate the year's accepted submissions and reviews; build Data Docs into `docs` if given.

    The outcome's `success` is False when a critical suite failed (publication would be blocked).
    """
    logger = get_run_logger()
    with open_warehouse(db) as conn:
        outcome = validate_records_task(conn, year, Path(docs) if docs else None)
    for line in outcome.critical_failures:
        logger.error(line)
    for line in outcome.warnings:
        logger.warning(line)
    return outcome
