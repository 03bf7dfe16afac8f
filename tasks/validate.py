"""Dataset validation tasks: the GX suites on the accepted records and on the scores to publish.

Critical suites block publication (`ValidationOutcome.success` is False); warning suites are
reported. Every run is stored in `validation_runs` and, inside a flow run, published as Prefect
artifacts (a markdown summary and a table of failures).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from expectations.suites import RECORD_SUITES, SCORE_SUITES


@dataclass(frozen=True)
class ValidationOutcome:
    """What one validation stage found."""

    year: int
    stage: str  # records | scores
    success: bool  # no critical failure
    critical_failures: list[str]  # one human line each: suite, expectation, what failed, observed
    warnings: list[str]
    docs_index: Path | None
    validation_run_ids: list[int]
    checks: int = 0  # expectations evaluated
    failures: list[Any] = field(default_factory=list)  # the failed ExpectationOutcomes, structured


def _run_stage(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    stage: str,
    suites: tuple[str, ...],
    frames: dict[str, Any],
    docs: Path | None,
    allocation_run_id: int | None = None,
) -> ValidationOutcome:
    from expectations.gx_runner import run_suites
    from warehouse.validation import save_validation_runs

    docs_path = Path(docs) if docs is not None else None
    run_name = f"{year}-{stage}" + (f"-allocation-{allocation_run_id}" if allocation_run_id else "")
    outcomes = run_suites(suites, frames, docs=docs_path, run_name=run_name)
    docs_index = docs_path / "index.html" if docs_path is not None else None
    runs = [
        {
            "suite": outcome.suite,
            "success": outcome.success,
            "evaluated": outcome.evaluated,
            "failed": outcome.failed,
            "summary": {
                "stage": stage,
                "run_name": run_name,
                "severity": outcome.severity,
                "allocation_run_id": allocation_run_id,
                "rows": outcome.rows,
                "failures": [e.line for e in outcome.failures],
                "expectations": [
                    {
                        "check": e.check,
                        "batch": e.batch,
                        "expectation": e.expectation,
                        "column": e.column,
                        "success": e.success,
                        "observed": e.observed,
                    }
                    for e in outcome.expectations
                ],
                "docs_index": str(docs_index) if docs_index else None,
            },
        }
        for outcome in outcomes
    ]
    ids = save_validation_runs(conn, year, runs)
    failures = [e for outcome in outcomes for e in outcome.failures]
    result = ValidationOutcome(
        year=year,
        stage=stage,
        success=not any(e.severity == "critical" for e in failures),
        critical_failures=[e.line for e in failures if e.severity == "critical"],
        warnings=[e.line for e in failures if e.severity == "warning"],
        docs_index=docs_index,
        validation_run_ids=ids,
        checks=sum(outcome.evaluated for outcome in outcomes),
        failures=failures,
    )
    _publish_artifacts(result, outcomes)
    return result


def _publish_artifacts(result: ValidationOutcome, outcomes: list[Any]) -> None:
    """A markdown summary and a failure table as Prefect artifacts, when inside a flow run.

    Artifacts need a run context; calling a task's `.fn` from plain code (bench, tests) must still
    work, so outside a run nothing is published.
    """
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        return
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    verdict = "passed" if result.success else "**blocked: critical failures**"
    lines = [
        f"# Validation {result.year} ({result.stage}): {verdict}",
        "",
        "| suite | severity | checks | failed |",
        "| --- | --- | ---: | ---: |",
        *(f"| {o.suite} | {o.severity} | {o.evaluated} | {o.failed} |" for o in outcomes),
        "",
    ]
    for title, items in (("Critical failures", result.critical_failures), ("Warnings", result.warnings)):
        if items:
            lines += [f"## {title}", "", *(f"- {item}" for item in items), ""]
    if result.docs_index is not None:
        lines.append(f"Data Docs: `{result.docs_index}`")
    key = f"validation-{result.year}-{result.stage}"
    create_markdown_artifact(markdown="\n".join(lines), key=key, description="Validation summary")
    table = [
        {
            "suite": e.suite,
            "severity": e.severity,
            "batch": e.batch,
            "check": e.check,
            "expectation": e.expectation,
            "observed": e.observed,
        }
        for o in outcomes
        for e in o.failures
    ]
    create_table_artifact(table=table, key=f"{key}-failures", description="Failed expectations")


def records_frames(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, Any]:
    """The derived frames of the records stage (see `expectations/derived.py`)."""
    from expectations.derived import review_frames, submission_frames
    from warehouse.validation import record_inputs

    inputs = record_inputs(conn, year)
    return {
        **submission_frames(year, inputs["submissions"], inputs["active_units"], inputs["previous"]),
        **review_frames(inputs["reviews"], inputs["active_units"]),
    }


def scores_frames(conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int) -> dict[str, Any]:
    """The derived frames of the scores stage."""
    from expectations.derived import score_frames
    from warehouse.validation import score_inputs

    scores, allocations, run = score_inputs(conn, year, allocation_run_id)
    return score_frames(scores, allocations, run)


@task(cache_policy=NO_CACHE)
def validate_records_task(conn: duckdb.DuckDBPyConnection, year: int, docs: Path | None) -> ValidationOutcome:
    """Submissions and reviews suites on the accepted batch of the year (Data Docs into `docs`)."""
    return _run_stage(conn, year, "records", RECORD_SUITES, records_frames(conn, year), docs)


@task(cache_policy=NO_CACHE)
def validate_scores_task(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int, docs: Path | None
) -> ValidationOutcome:
    """Scores suite before publication: the scores of the run's score run, its allocations and the
    budget recorded with the allocation run."""
    frames = scores_frames(conn, year, allocation_run_id)
    return _run_stage(conn, year, "scores", SCORE_SUITES, frames, docs, allocation_run_id)


def validate_stage(db: str) -> int:
    """Benchmark stage: every suite on the newest year of `db`, Data Docs into a temporary folder.

    The scores suite runs when the year has an allocation run. Returns the number of records
    validated (accepted submissions + accepted reviews + score rows).
    """
    from warehouse.connection import open_warehouse
    from warehouse.validation import latest_allocation_run, latest_year

    with open_warehouse(db) as conn, tempfile.TemporaryDirectory(prefix="unionflow-docs-") as folder:
        year = latest_year(conn)
        if year is None:
            return 0
        frames = records_frames(conn, year)
        _run_stage(conn, year, "records", RECORD_SUITES, frames, Path(folder))
        count = len(frames["submissions"]) + len(frames["reviews"])
        allocation_run_id = latest_allocation_run(conn, year)
        if allocation_run_id is not None:
            scored = scores_frames(conn, year, allocation_run_id)
            _run_stage(conn, year, "scores", SCORE_SUITES, scored, Path(folder), allocation_run_id)
            count += len(scored["scores"])
    return count
