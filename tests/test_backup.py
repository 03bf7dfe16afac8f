"""Backups before and after a publication, listing them, and restoring them exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.annual import annual_assessment
from flows.cli.operations import backup_app
from flows.publish import publish
from unionflow.next_step import PassOption
from warehouse.backup import BackupError, BackupInfo, backups_root, list_backups, restore
from warehouse.backup_retention import DEFAULT_KEEP_OTHERS, BackupStatus, prune_backups, retention_plan
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
    with pytest.raises(BackupError, match="already exists") as refused:
        restore(published["after"], target)
    assert PassOption("--force") in refused.value.next_steps
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


# ------------------------------------------------------------------ retention


def private_backups(published: dict[str, Path], target: Path) -> Path:
    """A copy of the published warehouse and its backup folder under `target` (prune removes)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published["db"], target / "w.duckdb")
    shutil.copytree(backups_root(published["db"]), target / "backups")
    return target / "w.duckdb"


def fake_old_backup(db: Path, name: str, created_at: str) -> Path:
    """Another backup of superseded run 1, made earlier (a copy of its `after` folder)."""
    folder = backups_root(db) / name
    shutil.copytree(backups_root(db) / "w-2025-run1-after", folder)
    manifest = json.loads((folder / "backup.json").read_text(encoding="utf-8"))
    (folder / "backup.json").write_text(json.dumps({**manifest, "created_at": created_at}), encoding="utf-8")
    return folder


def status_of(name: str, protects: str | None, created_at: str) -> BackupStatus:
    info = BackupInfo(Path(name), created_at, YEAR, 1, "after", "w.duckdb", {})
    return BackupStatus(info, 10, protects)


def test_retention_keeps_every_protected_backup_and_the_newest_others() -> None:
    statuses = [
        status_of("a", None, "2025-01-01"),
        status_of("b", "after the publication of run 2 (2025)", "2025-01-02"),
        status_of("c", None, "2025-01-03"),
        status_of("d", None, "2025-01-04"),
    ]
    plan = retention_plan(statuses, keep_others=1)
    assert [s.info.path.name for s in plan.removed] == ["a", "c"]
    assert [s.info.path.name for s in plan.kept] == ["b", "d"]
    assert plan.freed_bytes == 20
    assert retention_plan(statuses, keep_others=0).kept == [statuses[1]]


def test_prune_keeps_the_published_runs_backups_and_restoring_them_republishes_identical_bytes(
    published: dict[str, Path], tmp_path: Path
) -> None:
    db = private_backups(published, tmp_path / "w")
    with open_warehouse(db, read_only=True) as conn:
        pruned = prune_backups(conn, db, keep_others=0)
    assert sorted(s.info.path.name for s in pruned.removed) == ["w-2025-run1-after", "w-2025-run1-before"]
    assert sorted(p.name for p in backups_root(db).iterdir()) == ["w-2025-run2-after", "w-2025-run2-before"]
    restored = tmp_path / "restored.duckdb"
    restore(backups_root(db) / "w-2025-run2-after", restored)
    publish(year=YEAR, out=str(tmp_path / "out"), db=str(restored))
    for name in ("allocations.csv", "scores.csv", "quarantine.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (published["out"] / name).read_bytes(), name


def test_prune_never_touches_another_warehouses_backups(published: dict[str, Path], tmp_path: Path) -> None:
    db = private_backups(published, tmp_path / "w")
    stranger = backups_root(db) / "other-2025-run1-after"
    shutil.copytree(backups_root(db) / "w-2025-run1-after", stranger)
    with open_warehouse(db, read_only=True) as conn:
        prune_backups(conn, db, keep_others=0)
    assert stranger.is_dir()


def test_a_publication_prunes_the_backups_beyond_the_newest_others(
    published: dict[str, Path], tmp_path: Path
) -> None:
    from flows.allocate import allocate

    db = private_backups(published, tmp_path / "w")
    old = [fake_old_backup(db, f"w-2025-run1-after-{n}", f"2020-01-0{n}T00:00:00+00:00") for n in range(2, 8)]
    allocate(year=YEAR, db=str(db), budget=700_000)
    publish(year=YEAR, out=str(tmp_path / "out"), db=str(db), supersede="budget cut to 700,000")
    left = {p.name for p in backups_root(db).iterdir()}
    # Run 3 is published now: its two backups are kept, and of the 10 others the newest 5.
    assert {"w-2025-run3-before", "w-2025-run3-after"} <= left
    assert len(left) == 2 + DEFAULT_KEEP_OTHERS
    assert not any(folder.name in left for folder in old[:5])


def test_backup_list_shows_sizes_and_what_each_protects_and_prune_reports_what_it_freed(
    published: dict[str, Path], tmp_path: Path
) -> None:
    db = private_backups(published, tmp_path / "w")
    app = typer.Typer()
    app.add_typer(backup_app, name="backup")
    runner = CliRunner()
    listed = runner.invoke(app, ["backup", "list", "--db", str(db)], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    assert "bytes (" in listed.output and "MiB" in listed.output
    assert "after the publication of run 2 (2025)" in listed.output
    pruned = runner.invoke(app, ["backup", "prune", "--db", str(db), "--keep", "1"])
    assert pruned.exit_code == 0, pruned.output
    assert "removed w-2025-run1-before" in pruned.output and "pruned 1 backups, freed" in pruned.output
    refused = runner.invoke(app, ["backup", "prune", "--db", str(db), "--keep", "-1"])
    assert refused.exit_code == 2
