"""The annual flow and its published CSV files (SPEC sections 8 and 9)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from flows.allocate import allocate
from flows.annual import annual_assessment
from flows.publish import publish
from tests.conftest import YEAR
from tests.test_report_html import private_copy, published_source, published_year
from unionflow.next_step import PassOption
from warehouse.connection import open_warehouse
from warehouse.publication import AlreadyPublished
from warehouse.sql import run

pytestmark = pytest.mark.usefixtures("prefect_harness")

FILES = ("scores.csv", "allocations.csv", "quarantine.csv")


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


@pytest.fixture(scope="module")
def shared(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(warehouse, out folder) of the test run's one published synthetic year (read only)."""
    return published_year(synthetic_year, tmp_path_factory)


@pytest.fixture(scope="module")
def published(shared: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(warehouse, out folder) after one annual run of the synthetic year: this module's own copy."""
    return private_copy(shared, tmp_path_factory.mktemp("annual"))


def test_running_twice_on_the_same_folder_gives_byte_identical_csvs(
    shared: tuple[Path, Path], tmp_path: Path
) -> None:
    # The first run is the shared published year's (a warehouse of its own); the second warehouse
    # runs the same folder twice, the rerun writing over its own outputs.
    first, second, source = shared[1], tmp_path / "second", str(published_source(shared))
    annual_assessment(year=YEAR, source=source, out=str(second), db=str(tmp_path / "b.duckdb"))
    annual_assessment(year=YEAR, source=source, out=str(second), db=str(tmp_path / "b.duckdb"))
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_scores_csv_has_the_spec_columns_sorted_by_rank_then_unit(published: tuple[Path, Path]) -> None:
    rows = read_csv(published[1] / "scores.csv")
    assert list(rows[0]) == [
        "year", "unit_id", "name", "level", "indicator_score", "peer_score", "bonus",
        "total", "rank", "rank_in_level", "grade", "n_reviews", "flags",
    ]  # fmt: skip
    ranked = [(int(r["rank"]), r["unit_id"]) for r in rows if r["rank"]]
    assert ranked == sorted(ranked)
    assert all(not r["rank"] for r in rows[len(ranked) :])
    assert all(len(r["total"].split(".")[1]) == 4 for r in rows if r["total"])


def test_every_active_unit_has_one_allocation_row_and_the_total_line_adds_up(
    published: tuple[Path, Path],
) -> None:
    db, out = published
    rows = read_csv(out / "allocations.csv")
    *units, total = rows
    assert total["year"] == "TOTAL"
    assert int(total["amount_cny"]) == sum(int(r["amount_cny"]) for r in units)
    with open_warehouse(db, read_only=True) as conn:
        active = run(
            conn, "select count(*) from units where active_from <= 2025 and coalesce(active_to, 9999) >= 2025"
        )
    assert len(units) == active[0][0]
    assert {r["reason"] for r in units} <= {"funded", "budget_exhausted", "ineligible"}
    order = [(-int(r["amount_cny"]), r["unit_id"]) for r in units]
    assert order == sorted(order)
    assert int(total["amount_cny"]) <= 1_000_000


def test_funded_amounts_respect_floor_cap_and_step(published: tuple[Path, Path]) -> None:
    funded = [
        int(r["amount_cny"])
        for r in read_csv(published[1] / "allocations.csv")[:-1]
        if r["reason"] == "funded"
    ]
    assert funded
    assert all(5_000 <= amount <= 20_000 and amount % 100 == 0 for amount in funded)


def test_quarantine_csv_lists_every_quarantined_record_of_the_year(
    published: tuple[Path, Path], manifest: dict
) -> None:
    rows = read_csv(published[1] / "quarantine.csv")
    assert list(rows[0]) == ["record_kind", "source_ref", "unit_id", "year", "rule", "message"]
    assert {r["source_ref"] for r in rows} == {p["source_ref"] for p in manifest["planted"]}


def test_every_score_and_allocation_records_its_config_and_input_hash(published: tuple[Path, Path]) -> None:
    with open_warehouse(published[0], read_only=True) as conn:
        scores = run(
            conn, "select count(*) from scores where length(config_hash) = 64 and length(input_hash) = 64"
        )
        total = run(conn, "select count(*) from scores")
        runs = run(conn, "select config_hash, input_hash, status from allocation_runs")
    assert scores == total
    assert all(len(c) == 64 and len(i) == 64 and s == "published" for c, i, s in runs)


def test_publishing_a_different_allocation_needs_a_supersede_reason(
    published: tuple[Path, Path], tmp_path: Path
) -> None:
    db, _ = published
    allocate(year=YEAR, db=str(db), budget=900_000)
    with pytest.raises(AlreadyPublished, match="already published") as refused:
        publish(year=YEAR, out=str(tmp_path), db=str(db))
    assert PassOption("--supersede REASON") in refused.value.next_steps
    outcome = publish(year=YEAR, out=str(tmp_path), db=str(db), supersede="budget cut by the federation")
    with open_warehouse(db, read_only=True) as conn:
        statuses = dict(run(conn, "select allocation_run_id, status from allocation_runs"))
    assert statuses[outcome.superseded_run_id] == "superseded"
    assert statuses[outcome.allocation_run_id] == "published"
