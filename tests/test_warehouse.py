"""The warehouse: numbered migrations, one writer at a time, clear lock errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lock_held
from warehouse.connection import WarehouseError, WarehouseLocked, connect, open_warehouse
from warehouse.migrations import available_migrations, migrate
from warehouse.sql import run

SPEC_TABLES = {
    "units",
    "raw_payloads",
    "submissions",
    "reviews",
    "quarantine",
    "assignments",
    "validation_runs",
    "scores",
    "review_flags",
    "allocation_runs",
    "allocations",
    "collection_cursors",
    "schema_migrations",
}


def test_a_fresh_warehouse_has_every_table_of_the_spec(fresh_db: Path) -> None:
    with open_warehouse(fresh_db) as conn:
        tables = {row[0] for row in run(conn, "select table_name from information_schema.tables")}
    assert tables >= SPEC_TABLES


def test_migrations_are_recorded_in_order(fresh_db: Path) -> None:
    with open_warehouse(fresh_db) as conn:
        recorded = run(conn, "select version, name, checksum from schema_migrations order by version")
    expected = [(m.version, m.name, m.checksum) for m in available_migrations()]
    assert recorded == expected
    assert [m.version for m in available_migrations()] == sorted(m.version for m in available_migrations())


def test_migrating_twice_applies_nothing_the_second_time(fresh_db: Path) -> None:
    with open_warehouse(fresh_db) as conn:
        assert migrate(conn) == []


def test_a_second_writer_gets_a_clear_lock_error(fresh_db: Path) -> None:
    connect(fresh_db).close()
    with lock_held(fresh_db) as holder, pytest.raises(WarehouseLocked) as caught:
        connect(fresh_db)
    message = str(caught.value)
    assert "in use by another unionflow process" in message
    assert f"(process {holder.pid})" in message
    assert "\n" not in message


def test_read_only_on_a_missing_file_says_so(fresh_db: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist"):
        connect(fresh_db, read_only=True)
