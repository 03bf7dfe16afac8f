"""Which backups to keep, and pruning the others (`unionflow backup prune`, and after every
publication).

The policy (docs/operations.md): every backup of a year's currently published allocation run is
kept (the `before` and `after` copies around the publication leadership reads, so it can always be
restored and republished byte for byte); of the other backups of the warehouse (those of
superseded publications, repeats), the newest `keep_others` are kept and the rest removed.
Backups of another warehouse sharing the folder (another file name) are never touched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.backup import BackupError, BackupInfo, backups_root, list_backups
from warehouse.sql import run, statement

#: The other backups kept by default (besides those of every published run).
DEFAULT_KEEP_OTHERS = 5


@dataclass(frozen=True)
class BackupStatus:
    """One backup of the warehouse, its size and what it protects (None: not protected)."""

    info: BackupInfo
    size_bytes: int
    protects: str | None


@dataclass(frozen=True)
class Pruned:
    """What a prune removed and kept."""

    removed: list[BackupStatus]
    kept: list[BackupStatus]

    @property
    def freed_bytes(self) -> int:
        """Bytes the removed backups took."""
        return sum(status.size_bytes for status in self.removed)


def folder_bytes(folder: Path) -> int:
    """Bytes of the files in a backup folder."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def published_runs(conn: duckdb.DuckDBPyConnection) -> dict[int, int]:
    """allocation run id → year of every year's published run."""
    return {int(run_id): int(year) for run_id, year in run(conn, statement("published_allocation_run_ids"))}


def backup_statuses(root: Path, db_path: Path, published: dict[int, int]) -> list[BackupStatus]:
    """The backups of warehouse `db_path` under `root`, oldest first, with sizes and protection."""
    prefix = f"{db_path.stem}-"
    statuses = []
    for info in list_backups(root):
        if not info.path.name.startswith(prefix):
            continue  # another warehouse's backup in the same folder
        protects = None
        if published.get(info.allocation_run_id) == info.year:
            protects = f"{info.moment} the publication of run {info.allocation_run_id} ({info.year})"
        statuses.append(BackupStatus(info, folder_bytes(info.path), protects))
    return statuses


def retention_plan(statuses: list[BackupStatus], keep_others: int) -> Pruned:
    """Keep every protected backup and the newest `keep_others` others (pure)."""
    if keep_others < 0:
        raise BackupError(f"backups to keep must be 0 or more, not {keep_others}")
    others = [status for status in statuses if status.protects is None]
    removed = others[: max(0, len(others) - keep_others)]  # oldest first: the front goes
    gone = {id(status) for status in removed}
    return Pruned(removed=removed, kept=[status for status in statuses if id(status) not in gone])


def prune_backups(
    conn: duckdb.DuckDBPyConnection,
    db_path: Path | str,
    keep_others: int = DEFAULT_KEEP_OTHERS,
    root: Path | None = None,
) -> Pruned:
    """Remove the backups the policy does not keep; returns what went and what stayed.

    `conn` is open on the warehouse (it says which runs are published). Only folders directly
    under the backup folder are removed, never a link or anything outside it.
    """
    db_path = Path(db_path).resolve()
    root = (root or backups_root(db_path)).resolve()
    plan = retention_plan(backup_statuses(root, db_path, published_runs(conn)), keep_others)
    for status in plan.removed:
        folder = status.info.path
        if folder.is_symlink() or folder.resolve().parent != root:
            raise BackupError(f"{folder} is not a backup folder directly under {root}; not removed")
        shutil.rmtree(folder)
    return plan
