"""The backup steps of publication: Prefect tasks around `warehouse.backup.backup` and the
retention policy of `warehouse.backup_retention`."""

from __future__ import annotations

from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from warehouse.backup import Moment, backup
from warehouse.backup_retention import prune_backups


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


@task(cache_policy=NO_CACHE)
def prune_backups_task(conn: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Apply the retention policy after a publication (`warehouse.backup_retention`); returns the
    number of backups removed."""
    pruned = prune_backups(conn, db_path)
    if pruned.removed:
        get_run_logger().info(
            "pruned %d backups (%d bytes): %s",
            len(pruned.removed),
            pruned.freed_bytes,
            ", ".join(status.info.path.name for status in pruned.removed),
        )
    return len(pruned.removed)
