"""The validate flow and tasks on the synthetic year: warnings, Data Docs, history, blocking failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from flows.cli.stewardship import validate_command
from flows.validate import validate
from tasks.validate import validate_records_task, validate_scores_task
from tests.conftest import YEAR
from warehouse.connection import open_warehouse
from warehouse.sql import run
from warehouse.validation import validation_history


@pytest.fixture
def warehouse_copy(loaded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the collected synthetic year (the session fixture is read-only)."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(loaded_db, copy)
    return copy


def _add_scores_and_allocation(db: Path, budget: int = 1_000_000) -> int:
    """A plausible score run and allocation run for the year, written directly (no scoring code)."""
    with open_warehouse(db) as conn:
        run(conn, "insert into score_runs values (1, ?, 'trimmed_mean', 'c', 'i', now())", [YEAR])
        run(
            conn,
            """
            insert into scores
            select 1, ?, unit_id, name, level, 50.0, 60.0, 0.0, total,
                   rank() over (order by total desc), 1,
                   case when total >= 85 then 'excellent' when total >= 75 then 'good'
                        when total >= 60 then 'pass' else 'fail' end,
                   5, '', 'c', 'i'
            from (select unit_id, name, level, 50 + (row_number() over (order by unit_id)) % 45 as total
                  from units)
            """,
            [YEAR],
        )
        run(
            conn,
            """
            insert into allocation_runs
            values (1, ?, 1, 'proportional', ?, 5000, 20000, 100, 0, 0, 'c', 'i', 'draft', now(), null, null)
            """,
            [YEAR, budget],
        )
        run(
            conn,
            """
            insert into allocations
            select 1, year, unit_id, name, total, grade,
                   case when grade in ('excellent', 'good') then 5000 else 0 end,
                   case when grade in ('excellent', 'good') then 'funded' else 'ineligible' end
            from scores where score_run_id = 1
            """,
        )
    return 1


def _read_artifact_keys() -> set[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    keys = [f"validation-{YEAR}-records", f"validation-{YEAR}-records-failures"]
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
    return {a.key for a in found if a.key}


def test_flow_flags_outliers_builds_docs_and_records_history(
    warehouse_copy: Path, manifest: dict[str, Any], tmp_path: Path
) -> None:
    docs = tmp_path / "out" / "validation"

    outcome = validate(year=YEAR, db=str(warehouse_copy), docs=str(docs))

    assert outcome.success, outcome.critical_failures
    assert outcome.stage == "records" and outcome.year == YEAR
    warnings = "\n".join(outcome.warnings)
    outliers = manifest["plausibility_outliers"]
    assert outliers
    for planted in outliers:
        assert planted["unit_id"] in warnings, planted
    for unit_id in manifest["insufficient_reviews"]:
        assert unit_id in warnings
    assert any(line.startswith("submissions.warning · ") for line in outcome.warnings)

    # Data Docs: a static index naming every suite, working without network.
    assert outcome.docs_index == docs / "index.html"
    index = (docs / "index.html").read_text(encoding="utf-8")
    for suite in ("submissions.critical", "submissions.warning", "reviews.critical", "reviews.warning"):
        assert suite in index
    assert '<script src="http' not in index and 'href="https://cdn' not in index
    assert (docs / "validations").is_dir()

    with open_warehouse(warehouse_copy) as conn:
        history = validation_history(conn, year=YEAR)
    assert sorted(history["validation_run_id"]) == sorted(outcome.validation_run_ids)
    assert set(history["suite"]) == {
        "submissions.critical",
        "submissions.warning",
        "reviews.critical",
        "reviews.warning",
    }
    assert set(history["stage"]) == {"records"}
    summaries = {row.suite: json.loads(row.summary) for row in history.itertuples()}
    assert summaries["submissions.warning"]["rows"]["submissions"] > 150
    assert summaries["reviews.warning"]["failures"]
    assert summaries["submissions.critical"]["failures"] == []
    assert _read_artifact_keys() == {f"validation-{YEAR}-records", f"validation-{YEAR}-records-failures"}


def test_scores_stage_blocks_on_impossible_totals_and_budget(warehouse_copy: Path, tmp_path: Path) -> None:
    allocation_run_id = _add_scores_and_allocation(warehouse_copy)
    docs = tmp_path / "validation"
    with open_warehouse(warehouse_copy) as conn:
        records = validate_records_task.fn(conn, YEAR, docs)
        clean = validate_scores_task.fn(conn, YEAR, allocation_run_id, docs)
        assert records.success and clean.success, clean.critical_failures
        assert clean.stage == "scores" and clean.warnings == []

        unit = run(conn, "select min(unit_id) from scores where grade = 'fail'")[0][0]
        run(conn, "update scores set total = 120 where unit_id = ?", [unit])
        run(
            conn, "update allocation_runs set budget = 10000 where allocation_run_id = ?", [allocation_run_id]
        )
        broken = validate_scores_task.fn(conn, YEAR, allocation_run_id, docs)
        history = validation_history(conn, suite="scores.critical")

    assert not broken.success
    lines = "\n".join(broken.critical_failures)
    total_line = next(line for line in broken.critical_failures if "total ≥ 0 ≤ 100" in line)
    assert total_line.startswith("scores.critical · expect_column_values_to_be_between")
    assert unit in total_line and "120" in total_line
    assert "budget_headroom" in lines and "grade_consistent" in lines
    assert list(history["success"]) == [False, True]
    # Both stages were built into one site; the index lists the records and the scores runs.
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert (
        f"{YEAR}-records" in index and f"{YEAR}-scores-allocation-1" in index and "scores.critical" in index
    )


def test_validate_command_exits_1_on_a_critical_failure(warehouse_copy: Path) -> None:
    with open_warehouse(warehouse_copy) as conn:
        run(conn, "delete from submissions where year = ?", [YEAR])  # coverage 0: nothing was collected
    app = typer.Typer()
    app.command("validate")(validate_command)
    app.command("noop")(lambda: None)  # two commands: Typer keeps the command name

    result = CliRunner().invoke(app, ["validate", "--year", str(YEAR), "--db", str(warehouse_copy)])

    assert result.exit_code == 1, result.output
    assert "critical" in result.output and "FAILED" in result.output
