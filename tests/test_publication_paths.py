"""Publication paths wired across features: the validation gate, portal pushes, calibrated reports,
and partitioned runs on threads and on a Dask cluster giving identical outputs."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import httpx
import pytest

from flows.annual import annual_assessment
from flows.assign import assign
from flows.publish import publish
from tasks.collect import partitions_for
from tests.cli import unionflow
from tests.conftest import YEAR
from tests.test_report_html import private_copy, published_source, published_year
from unionflow.portal.server import serve_in_background
from warehouse.connection import open_warehouse
from warehouse.sql import run

pytestmark = pytest.mark.usefixtures("prefect_harness")

TOKEN = "test-token-publication"
OUTPUTS = ("scores.csv", "allocations.csv", "quarantine.csv")


def received(base_url: str, kind: str) -> list[dict[str, object]]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.get(f"{base_url}/api/v1/_received/{kind}/{YEAR}", headers=headers, timeout=10).json()


def test_a_critical_validation_failure_blocks_publication_with_exit_1(
    tmp_path: Path, synthetic_year: Path
) -> None:
    # Keep the registry but drop nearly every submission: coverage of active units falls below the
    # critical minimum, so the run must refuse to publish.
    source = tmp_path / "source"
    shutil.copytree(synthetic_year, source, ignore=shutil.ignore_patterns("submissions"))
    (source / "submissions").mkdir()
    shutil.copy(synthetic_year / "submissions" / "late-batch.json", source / "submissions")
    db, out = tmp_path / "w.duckdb", tmp_path / "out"
    result = unionflow(
        "run", "--year", str(YEAR), "--source", str(source), "--out", str(out), "--db", str(db)
    )
    assert result.code == 1, result.stderr[-2000:]
    assert "publication blocked by" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "scores.csv").exists()
    with open_warehouse(db, read_only=True) as conn:
        assert run(conn, "select distinct status from allocation_runs") == [("draft",)]


def test_the_portal_receives_a_published_allocation_once_and_the_assignment(
    tmp_path: Path,
    synthetic_year: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNIONFLOW_PORTAL_TOKEN", TOKEN)
    # A copy of the test run's published year: published locally, never pushed to a portal yet.
    db, out = private_copy(published_year(synthetic_year, tmp_path_factory), tmp_path)
    with serve_in_background(synthetic_year, TOKEN) as base_url:
        publish(year=YEAR, out=str(out), db=str(db), to=base_url)
        publish(year=YEAR, out=str(out), db=str(db), to=base_url)  # a retry of the same publication
        # The year is collected already: replacing its assignment needs force (the guardrail).
        assign(year=YEAR, db=str(db), to=base_url, force=True)
        allocations = received(base_url, "allocations")
        assignments = received(base_url, "assignments")
    assert len(allocations) == 1
    body = allocations[0]["body"]
    assert isinstance(body, dict)
    with (out / "allocations.csv").open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["year"] != "TOTAL"]
    assert sum(a["amount_cny"] for a in body["allocations"]) == sum(int(r["amount_cny"]) for r in rows)
    assert len(assignments) == 1
    assert len(assignments[0]["body"]["pairs"]) > 0  # type: ignore[index]


def test_a_calibrated_run_shows_the_rank_comparison_in_the_report(
    tmp_path: Path, synthetic_year: Path
) -> None:
    config = tmp_path / "calibrated.toml"
    config.write_text('version = 1\n[peer]\nmethod = "calibrated"\n', encoding="utf-8")
    out = tmp_path / "out"
    annual_assessment(year=YEAR, source=str(synthetic_year), out=str(out), db=str(tmp_path / "w.duckdb"),
                      config=str(config))  # fmt: skip
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="calibration-table"' in page
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as conn:
        assert run(conn, "select count(*) from score_comparisons")[0][0] > 0


@pytest.fixture(scope="module")
def single_partition(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(source, out folder) of the test run's published year: the reference both runners are
    compared with, validated in one partition (the default for a year of this size)."""
    db, out = published_year(synthetic_year, tmp_path_factory)
    with open_warehouse(db, read_only=True) as conn:
        assert all(partitions_for(conn, kind, YEAR) == 1 for kind in ("submissions", "reviews"))
    return published_source((db, out)), out


@pytest.mark.parametrize("runner", ["default", "dask"])
def test_a_partitioned_run_gives_the_same_files_as_a_single_partition(
    tmp_path: Path, single_partition: tuple[Path, Path], runner: str
) -> None:
    (source, single), parts = single_partition, tmp_path / "parts"
    annual_assessment(year=YEAR, source=str(source), out=str(parts), db=str(parts / "w.duckdb"),
                      partitions=4, runner=runner)  # fmt: skip
    for name in OUTPUTS:
        assert (single / name).read_bytes() == (parts / name).read_bytes(), name
