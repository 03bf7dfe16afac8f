"""The `collect` flow on the synthetic year: reconciliation, planted defects, idempotence."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.collect import collect
from tests.conftest import YEAR
from warehouse.connection import open_warehouse
from warehouse.sql import run

pytestmark = pytest.mark.usefixtures("prefect_harness")

KINDS = {"unit": "units", "submission": "submissions", "review": "reviews"}


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The warehouse content that must not change when the same inputs are collected again."""
    queries = {
        "raw_payloads": (
            "select payload_id, record_kind, year, source_ref, sha256 from raw_payloads order by all"
        ),
        "units": "select * from units order by all",
        "submissions": "select * from submissions order by all",
        "reviews": "select * from reviews order by all",
        "quarantine": "select * from quarantine order by all",
    }
    with open_warehouse(db, read_only=True) as conn:
        return {name: run(conn, sql) for name, sql in queries.items()}


def test_every_kind_reconciles(synthetic_year: Path, tmp_path: Path) -> None:
    results = collect(year=YEAR, source=str(synthetic_year), db=str(tmp_path / "w.duckdb"))
    assert [r.kind for r in results] == ["unit", "submission", "review"]
    for r in results:
        assert r.balanced, r.line()
        assert r.line().startswith(f"{KINDS[r.kind]}: received {r.received} = accepted ")


def test_counts_match_what_the_synthetic_year_planted(
    synthetic_year: Path, manifest: dict, tmp_path: Path
) -> None:
    results = {
        r.kind: r for r in collect(year=YEAR, source=str(synthetic_year), db=str(tmp_path / "w.duckdb"))
    }
    for kind, label in KINDS.items():
        expected = manifest["counts"][label]
        got = results[kind]
        assert (got.received, got.accepted, got.quarantined, got.superseded, got.replayed) == (
            expected["received"],
            expected["accepted"],
            expected["quarantined"],
            expected["superseded"],
            expected["replayed"],
        ), label


def test_every_planted_bad_record_gets_exactly_its_rules(loaded_db: Path, manifest: dict) -> None:
    with open_warehouse(loaded_db, read_only=True) as conn:
        quarantine = dict(run(conn, "select source_ref, rule from quarantine"))
    for planted in manifest["planted"]:
        assert quarantine.get(planted["source_ref"]) == ";".join(sorted(planted["rules"])), planted


def test_nothing_else_is_quarantined(loaded_db: Path, manifest: dict) -> None:
    with open_warehouse(loaded_db, read_only=True) as conn:
        refs = {row[0] for row in run(conn, "select source_ref from quarantine")}
    assert refs == {planted["source_ref"] for planted in manifest["planted"]}


def test_formatted_numbers_are_accepted_with_their_value(loaded_db: Path, manifest: dict) -> None:
    with open_warehouse(loaded_db, read_only=True) as conn:
        for case in manifest["formatted_numbers"]:
            rows = run(conn, f"select {case['field']} from submissions where submission_id = ?", [case["id"]])
            assert rows == [(case["value"],)], case


def test_superseded_and_replayed_records_are_the_planted_ones(loaded_db: Path, manifest: dict) -> None:
    with open_warehouse(loaded_db, read_only=True) as conn:
        superseded = {
            row[0] for row in run(conn, "select submission_id from submissions where status = 'superseded'")
        }
        superseded |= {
            row[0] for row in run(conn, "select review_id from reviews where status = 'superseded'")
        }
        stored_replays = run(
            conn,
            "select count(*) from raw_payloads where source_ref in (?)",
            [manifest["replays"][0]["replay"]["source_ref"]],
        )
    assert superseded == {case["id"] for case in manifest["superseded"]}
    assert stored_replays == [(0,)]  # an exact replay is counted, never stored twice


def test_collecting_the_same_folder_again_changes_nothing(synthetic_year: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = collect(year=YEAR, source=str(synthetic_year), db=str(db))
    before = snapshot(db)
    again = collect(year=YEAR, source=str(synthetic_year), db=str(db))
    assert snapshot(db) == before
    for previous, now in zip(first, again, strict=True):
        assert now.received == previous.received
        assert now.replayed == now.received  # everything was seen before
        assert now.balanced


def test_a_copy_of_the_folder_elsewhere_gives_the_same_warehouse(
    synthetic_year: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(synthetic_year, copy)
    collect(year=YEAR, source=str(synthetic_year), db=str(tmp_path / "a.duckdb"))
    collect(year=YEAR, source=str(copy), db=str(tmp_path / "b.duckdb"))
    assert snapshot(tmp_path / "a.duckdb") == snapshot(tmp_path / "b.duckdb")


def test_a_release_revalidates_with_the_deadline_the_year_was_collected_with(
    synthetic_year: Path, manifest: dict, tmp_path: Path
) -> None:
    from flows.stewardship import review_record

    db = tmp_path / "w.duckdb"
    collect(year=YEAR, source=str(synthetic_year), db=str(db), deadline="2026-03-31T23:59:59+08:00")
    late = next(p for p in manifest["planted"] if p["rules"] == ["late"])
    # A release re-validates the year's submissions; it needs a waivable rule to release.
    other = next(
        p
        for p in manifest["planted"]
        if p["rules"] == ["conflicting_duplicate"] and p["record_kind"] == "submission"
    )
    with open_warehouse(db, read_only=True) as conn:
        accepted = run(conn, "select status from submissions where submission_id = ?", [late["id"]])
        other_id = run(
            conn, "select quarantine_id from quarantine where source_ref = ?", [other["source_ref"]]
        )
    assert accepted == [("accepted",)]  # the extension made it on time
    review_record(db, int(other_id[0][0]), "released", "checking the deadline is kept", "steward")
    with open_warehouse(db, read_only=True) as conn:
        still = run(conn, "select status from submissions where submission_id = ?", [late["id"]])
    assert still == [("accepted",)]
