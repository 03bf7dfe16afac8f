"""Warehouse backups around every publication, and restoring one into a fresh file.

A backup is a folder holding a copy of the checkpointed warehouse file (`warehouse.duckdb`, see
`warehouse.copies`: about 1 s at 1,000,000 units, where a Parquet `EXPORT DATABASE` took 10 s) and
a `backup.json` manifest. Backups made before that (format 1: an `EXPORT DATABASE` folder with
schema.sql, load.sql and Parquet files) are still restored. Either way a restored warehouse
republishes byte-identical CSV files. Backups live next to the warehouse:

    <db dir>/backups/<db stem>-<year>-run<allocation run id>-<before|after>/

The database name is part of the folder so that several warehouses in one folder never mix; a
second backup of the same run and moment (publishing an already published run again) gets a
`-2`, `-3`… suffix rather than overwriting the first.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb

from unionflow.next_step import PassOption
from warehouse.connection import WarehouseError
from warehouse.copies import copy_database, literal, quoted, wal_of
from warehouse.sql import first_row, run, statement, with_identifiers

Moment = Literal["before", "after"]
MANIFEST = "backup.json"
DATABASE_FILE = "warehouse.duckdb"
FORMAT_VERSION = 2


class BackupError(WarehouseError):
    """A backup cannot be made or restored as asked (exit code 2 on the command line)."""


@dataclass(frozen=True)
class BackupInfo:
    """What `backup.json` says about one backup folder."""

    path: Path
    created_at: str
    year: int
    allocation_run_id: int
    moment: str
    db: str
    row_counts: dict[str, int]

    @classmethod
    def read(cls, folder: Path) -> BackupInfo:
        """Load the manifest of `folder`; `BackupError` when it is missing or unreadable."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            return cls(
                path=folder,
                created_at=str(data["created_at"]),
                year=int(data["year"]),
                allocation_run_id=int(data["allocation_run_id"]),
                moment=str(data["moment"]),
                db=str(data["db"]),
                row_counts={str(k): int(v) for k, v in data["row_counts"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as problem:
            raise BackupError(f"{folder} is not a unionflow backup ({MANIFEST}: {problem})") from None


def backups_root(db: Path | str) -> Path:
    """The folder holding the backups of warehouse `db`."""
    return Path(db).resolve().parent / "backups"


def table_row_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of the connection's current database, by table name."""
    names = [
        str(row[0])
        for row in run(
            conn,
            statement("table_names"),
        )
    ]
    counts = {}
    for name in names:
        row = first_row(conn, with_identifiers(statement("table_row_count"), table=quoted(name)))
        counts[name] = int(row[0]) if row else 0
    return counts


def _free_folder(root: Path, stem: str) -> Path:
    candidate, number = root / stem, 1
    while candidate.exists():
        number += 1
        candidate = root / f"{stem}-{number}"
    return candidate


def backup(
    conn: duckdb.DuckDBPyConnection,
    db_path: Path | str,
    year: int,
    allocation_run_id: int,
    moment: Moment,
    root: Path | None = None,
) -> Path:
    """Copy the warehouse open on `conn` into a new backup folder; returns the folder.

    `conn` is the flow's writing connection (a second connection could not open the locked file).
    The copy is written under a temporary name and renamed when complete, so a folder with a
    manifest is always a whole backup.
    """
    if moment not in ("before", "after"):
        raise BackupError(f"moment must be 'before' or 'after', not {moment!r}")
    db_path = Path(db_path).resolve()
    root = root or backups_root(db_path)
    root.mkdir(parents=True, exist_ok=True)
    target = _free_folder(root, f"{db_path.stem}-{year}-run{allocation_run_id}-{moment}")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    copy_database(conn, db_path, partial / DATABASE_FILE)
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "year": year,
        "allocation_run_id": allocation_run_id,
        "moment": moment,
        "db": str(db_path),
        "row_counts": table_row_counts(conn),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    partial.rename(target)
    return target


def list_backups(root: Path | str) -> list[BackupInfo]:
    """Every complete backup under `root`, oldest first (folders without a manifest are skipped)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.is_dir() and (folder / MANIFEST).is_file():
            try:
                found.append(BackupInfo.read(folder))
            except BackupError:
                continue  # a damaged manifest is not a backup to offer for restore
    return sorted(found, key=lambda info: (info.created_at, info.path.name))


def restore(backup_dir: Path | str, target_db: Path | str, *, force: bool = False) -> BackupInfo:
    """Restore a backup into the warehouse file `target_db` and check its row counts.

    Refuses an existing target unless `force` (then the old file, and its WAL, are replaced only
    after the restored copy was checked, in a temporary file). The target must not be open elsewhere.
    """
    backup_dir = Path(backup_dir)
    info = BackupInfo.read(backup_dir)
    copied = backup_dir / DATABASE_FILE
    exported = [backup_dir / name for name in ("schema.sql", "load.sql")]
    if not copied.is_file() and not all(path.is_file() for path in exported):
        raise BackupError(f"{backup_dir} is incomplete: neither {DATABASE_FILE} nor schema.sql and load.sql")
    target = Path(target_db)
    if target.exists() and not force:
        raise BackupError(
            f"{target} already exists; restore to a new path", next_steps=(PassOption("--force"),)
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    for leftover in (partial, wal_of(partial)):
        leftover.unlink(missing_ok=True)
    if copied.is_file():
        shutil.copyfile(copied, partial)
    # A plain DuckDB connection, not `connect()`: migrating first would create the tables an
    # import is about to create. A backup carries its own schema_migrations rows.
    try:
        conn = duckdb.connect(str(partial))
    except duckdb.Error as problem:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot restore {backup_dir}: {problem}") from None
    try:
        if not copied.is_file():  # format 1: an EXPORT DATABASE folder
            run(conn, f"import database {literal(str(backup_dir.resolve()))}")
        counts = table_row_counts(conn)
        run(conn, "checkpoint")
    except duckdb.Error as problem:
        conn.close()
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot restore {backup_dir}: {problem}") from None
    conn.close()
    if counts != info.row_counts:
        partial.unlink(missing_ok=True)
        raise BackupError(f"restored row counts differ from {MANIFEST}: {counts} != {info.row_counts}")
    wal_of(target).unlink(missing_ok=True)
    partial.replace(target)
    return info
