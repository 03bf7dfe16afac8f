"""A warehouse written by an earlier release still opens, migrates and republishes its year.

`tests/fixtures/warehouse-v1/` holds a warehouse written by `scripts/make-fixture-warehouse.sh`
(40 synthetic units, 2025, published), the CSV files that run published and `written-by.json`
(versions and commands). The current code must migrate a copy of it (add-only: every table and
column it had is still there) and `unionflow publish` must rewrite those CSV files byte for byte,
also after the DuckDB upgrade recipe of docs/operations.md (EXPORT DATABASE to Parquet, IMPORT
DATABASE into a new file). The committed files are only ever copied, never opened for writing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.cli import unionflow
from warehouse.connection import open_warehouse
from warehouse.copies import literal
from warehouse.migrations import available_migrations
from warehouse.sql import run

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

FIXTURE = Path(__file__).parent / "fixtures" / "warehouse-v1"
CSV_FILES = ("scores.csv", "allocations.csv", "quarantine.csv")
WRITTEN_BY = json.loads((FIXTURE / "written-by.json").read_text(encoding="utf-8"))
YEAR = int(WRITTEN_BY["year"])

Columns = set[tuple[str, str, str]]


def columns_of(db: Path) -> Columns:
    """(table, column, type) of every column of the warehouse file, read without migrating it."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return {
            (str(t), str(c), str(d))
            for t, c, d in run(conn, "from duckdb_columns() select table_name, column_name, data_type")
        }
    finally:
        conn.close()


def copy_of_fixture(folder: Path) -> Path:
    """A private copy of the committed warehouse (the committed bytes stay as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "warehouse.duckdb"
    shutil.copyfile(FIXTURE / "warehouse.duckdb", db)
    return db


def republish(db: Path, out: Path) -> Path:
    """`unionflow publish` of the fixture's year from `db` into `out` (the published run again)."""
    result = unionflow("publish", "--year", str(YEAR), "--out", str(out), "--db", str(db))
    assert result.code == 0, result.stderr
    return out


def assert_same_csv_files(out: Path) -> None:
    for name in CSV_FILES:
        assert (out / name).read_bytes() == (FIXTURE / name).read_bytes(), (
            f"{name} differs from the fixture's"
        )


def migrations_of(db: Path) -> dict[int, str]:
    """version → checksum of every migration recorded in the warehouse file (read without migrating)."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return {int(v): str(c) for v, c in run(conn, "from schema_migrations select version, checksum")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Columns]:
    """(a copy of the fixture opened once by the current code, its columns before that)."""
    db = copy_of_fixture(tmp_path_factory.mktemp("fixture"))
    before = columns_of(db)
    with open_warehouse(db):
        pass  # opening for writing applies every migration the file lacks
    return db, before


def test_the_committed_fixture_is_the_file_that_was_written() -> None:
    # A text conversion by git, or a test opening it in place, would change these bytes.
    data = (FIXTURE / "warehouse.duckdb").read_bytes()
    assert hashlib.sha256(data).hexdigest() == WRITTEN_BY["warehouse_sha256"]
    assert len(data) < 8 * 1024 * 1024  # a few MB at most
    assert not (FIXTURE / "warehouse.duckdb.wal").exists()


def test_the_fixture_records_what_wrote_it() -> None:
    assert set(WRITTEN_BY) >= {"unionflow", "migration_level", "migrations", "duckdb", "date", "commands"}
    assert sorted(migrations_of(FIXTURE / "warehouse.duckdb")) == WRITTEN_BY["migrations"]


def test_the_migrations_the_fixture_ran_are_shipped_unchanged() -> None:
    # A released migration must never be edited: a warehouse that ran it would not run it again.
    shipped = {m.version: m.checksum for m in available_migrations()}
    recorded = migrations_of(FIXTURE / "warehouse.duckdb")
    assert {v: shipped.get(v) for v in recorded} == recorded


def test_opening_the_fixture_brings_it_to_the_latest_migration(migrated: tuple[Path, Columns]) -> None:
    db, _ = migrated
    assert sorted(migrations_of(db)) == [m.version for m in available_migrations()]


def test_migrating_the_fixture_only_adds(migrated: tuple[Path, Columns]) -> None:
    db, before = migrated
    assert before - columns_of(db) == set(), "a migration removed or retyped columns of a published warehouse"


def test_republishing_the_fixture_year_rewrites_its_csv_files_byte_for_byte(
    migrated: tuple[Path, Columns], tmp_path: Path
) -> None:
    db, _ = migrated
    assert_same_csv_files(republish(db, tmp_path / "out"))


def test_export_to_parquet_and_import_into_a_new_file_keeps_the_csv_files(tmp_path: Path) -> None:
    # The DuckDB-upgrade recipe of docs/operations.md: the old DuckDB exports, the new one imports.
    old = copy_of_fixture(tmp_path / "old")
    exported = tmp_path / "export"
    conn = duckdb.connect(str(old), read_only=True)
    try:
        run(conn, f"export database {literal(str(exported))} (format parquet)")
    finally:
        conn.close()
    new = tmp_path / "new" / "warehouse.duckdb"
    new.parent.mkdir()
    conn = duckdb.connect(str(new))
    try:
        run(conn, f"import database {literal(str(exported))}")
    finally:
        conn.close()
    assert_same_csv_files(republish(new, tmp_path / "out"))
