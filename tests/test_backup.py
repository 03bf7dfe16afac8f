"""Backups before and after a publication, listing them, and restoring them exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.annual import annual_assessment
from flows.cli.operations import backup_app
from flows.publish import publish
from warehouse.backup import BackupError, backups_root, list_backups, restore
from warehouse.connection import open_warehouse
from warehouse.copies import literal
from warehouse.sql import run

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

YEAR = 2025


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A warehouse whose 2025 allocation was published twice; the publish flow backs up around each."""
    from unionflow.synth import synthesize

    base = tmp_path_factory.mktemp("backup")
    synthesize(base / "source", units=80, year=YEAR, seed=5)
    db = base / "w.duckdb"
    # The annual run publishes run 1; a new budget gives a draft run 2, published in its place.
    annual_assessment(year=YEAR, source=str(base / "source"), out=str(base / "first"), db=str(db))
    from flows.allocate import allocate

    allocate(year=YEAR, db=str(db), budget=800_000)
    publish(year=YEAR, out=str(base / "out"), db=str(db), supersede="budget cut to 800,000")
    backups = {(b.allocation_run_id, b.moment): b.path for b in list_backups(backups_root(db))}
    return {
        "base": base,
        "db": db,
        "out": base / "out",
        "before": backups[2, "before"],
        "after": backups[2, "after"],
    }


def test_backups_are_named_by_year_run_and_moment_with_a_manifest(published: dict[str, Path]) -> None:
    before, after = published["before"], published["after"]
    assert before.name == "w-2025-run2-before" and after.name == "w-2025-run2-after"
    assert before.parent == after.parent == backups_root(published["db"])
    manifest = json.loads((after / "backup.json").read_text(encoding="utf-8"))
    assert manifest["year"] == YEAR and manifest["allocation_run_id"] == 2 and manifest["moment"] == "after"
    assert manifest["db"] == str(published["db"].resolve())
    assert manifest["row_counts"]["allocations"] > 0
    assert manifest["format_version"] == 2
    assert sorted(p.name for p in after.iterdir()) == ["backup.json", "warehouse.duckdb"]


def test_list_backups_returns_both_oldest_first(published: dict[str, Path]) -> None:
    found = list_backups(backups_root(published["db"]))
    assert [(b.moment, b.allocation_run_id) for b in found] == [
        ("before", 1),
        ("after", 1),
        ("before", 2),
        ("after", 2),
    ]
    assert list_backups(published["base"] / "nowhere") == []


def test_restoring_the_after_backup_republishes_identical_bytes(
    published: dict[str, Path], tmp_path: Path
) -> None:
    restored = tmp_path / "restored.duckdb"
    info = restore(published["after"], restored)
    assert info.allocation_run_id == 2
    outcome = publish(year=YEAR, out=str(tmp_path / "out"), db=str(restored))
    assert outcome.allocation_run_id == 2 and outcome.superseded_run_id is None  # already published
    for name in ("allocations.csv", "scores.csv", "quarantine.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (published["out"] / name).read_bytes(), name


def test_the_before_backup_holds_the_draft_and_publishing_it_gives_the_same_list(
    published: dict[str, Path], tmp_path: Path
) -> None:
    restored = tmp_path / "before.duckdb"
    restore(published["before"], restored)
    with open_warehouse(restored, read_only=True) as conn:
        status = run(conn, "select status from allocation_runs where allocation_run_id = 2")
    assert status == [("draft",)]
    publish(year=YEAR, out=str(tmp_path / "out"), db=str(restored), supersede="budget cut to 800,000")
    assert (tmp_path / "out" / "allocations.csv").read_bytes() == (
        published["out"] / "allocations.csv"
    ).read_bytes()


def test_restore_refuses_an_existing_file_unless_forced(published: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "taken.duckdb"
    target.write_bytes(b"not a warehouse")
    with pytest.raises(BackupError, match="--force"):
        restore(published["after"], target)
    assert target.read_bytes() == b"not a warehouse"
    restore(published["after"], target, force=True)
    with open_warehouse(target, read_only=True) as conn:
        assert run(conn, "select count(*) from allocation_runs")[0][0] == 2


def test_a_backup_made_by_export_database_before_format_2_is_still_restored(
    published: dict[str, Path], tmp_path: Path
) -> None:
    legacy = tmp_path / "w-2025-run2-after"
    manifest = json.loads((published["after"] / "backup.json").read_text(encoding="utf-8"))
    restored_now = tmp_path / "now.duckdb"
    restore(published["after"], restored_now)
    with open_warehouse(restored_now, read_only=True) as conn:
        run(conn, f"export database {literal(str(legacy))} (format parquet)")  # how format 1 was made
    (legacy / "backup.json").write_text(json.dumps({**manifest, "format_version": 1}), encoding="utf-8")

    restored = tmp_path / "legacy.duckdb"
    info = restore(legacy, restored)
    assert info.allocation_run_id == 2
    publish(year=YEAR, out=str(tmp_path / "out"), db=str(restored))
    for name in ("allocations.csv", "scores.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (published["out"] / name).read_bytes(), name


def test_a_backup_folder_without_its_database_is_incomplete(
    published: dict[str, Path], tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "backup.json").write_bytes((published["after"] / "backup.json").read_bytes())
    with pytest.raises(BackupError, match="incomplete"):
        restore(damaged, tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()


def test_a_folder_without_manifest_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not a unionflow backup"):
        restore(tmp_path, tmp_path / "x.duckdb")


def test_the_backup_commands(published: dict[str, Path], tmp_path: Path) -> None:
    app = typer.Typer()
    app.add_typer(backup_app, name="backup")
    runner = CliRunner()
    listed = runner.invoke(app, ["backup", "list", "--db", str(published["db"])])
    assert listed.exit_code == 0, listed.output
    assert "w-2025-run2-before" in listed.output and "w-2025-run2-after" in listed.output
    target = tmp_path / "cli.duckdb"
    restored = runner.invoke(app, ["backup", "restore", str(published["after"]), "--to", str(target)])
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output and target.is_file()
    again = runner.invoke(app, ["backup", "restore", str(published["after"]), "--to", str(target)])
    assert isinstance(again.exception, BackupError)  # flows.cli.main prints it as one line, exit 2
    forced = runner.invoke(
        app, ["backup", "restore", str(published["after"]), "--to", str(target), "--force"]
    )
    assert forced.exit_code == 0, forced.output
