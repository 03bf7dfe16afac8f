"""The backup step of publication: a Prefect task around `warehouse.backup.backup`."""

from __future__ import annotations

from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from warehouse.backup import Moment, backup


@task(cache_policy=NO_CACHE)
def backup_task(
    conn: duckdb.DuckDBPyConnection, db_path: Path, year: int, allocation_run_id: int, moment: Moment
) -> Path:
    """Export the warehouse before or after publishing `allocation_run_id`; returns the folder.

    Takes the flow's open writing connection: the warehouse is locked by it, so the export must go
    through it. Returns only the folder path (a small result, see docs/architecture.md).
    """
    folder = backup(conn, db_path, year, allocation_run_id, moment)
    get_run_logger().info("backup %s publication of run %s: %s", moment, allocation_run_id, folder)
    return folder
