"""Prefect tasks that write the leadership reports (report.html, report.xlsx) and the public notice."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.decision import decision_sections
from tasks.publish import write_csv_outputs
from unionflow.reports.data import ReportData
from unionflow.reports.feedback import FeedbackInputs
from unionflow.reports.findings import Finding, ValidationSummary
from unionflow.reports.html import DEFAULT_TOP_N, write_html
from unionflow.reports.xlsx import MAX_ROWS, write_xlsx
from warehouse import allocation_runs, inputs, score_runs
from warehouse.connection import MissingData
from warehouse.history import unit_history
from warehouse.missing import not_scored
from warehouse.publication import headline

__all__ = [
    "ValidationSummary",
    "feedback_inputs",
    "load_report_data",
    "validation_summary",
    "write_outputs_task",
    "write_reports_task",
]


def load_report_data(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    validation: ValidationSummary | None = None,
) -> ReportData:
    """Read an allocation run, its score run and the year's flags and quarantine."""
    run = allocation_runs.allocation_run(conn, allocation_run_id)
    if run is None or run.year != year:
        raise MissingData(f"{year} has no allocation run {allocation_run_id}")
    score_run_id = run.score_run_id
    score_run = score_runs.score_run(conn, score_run_id)
    if score_run is None:
        raise MissingData(f"score run {score_run_id} of allocation run {allocation_run_id} does not exist")
    scores = score_runs.scores_of(conn, score_run_id)
    scenarios, stability = decision_sections(conn, year, run, score_run.peer_method, scores)
    return ReportData(
        year=year,
        allocation_run_id=allocation_run_id,
        run=run,
        score_run=score_run,
        headline=headline(conn, year, allocation_run_id),
        scores=scores,
        allocations=allocation_runs.allocations_of(conn, allocation_run_id),
        flags=score_runs.review_flags_of(conn, score_run_id),
        quarantine=inputs.year_quarantine(conn, year),
        validation=validation,
        comparison=score_runs.comparison_of(conn, score_run_id),
        scenarios=scenarios,
        stability=stability,
        history=unit_history(conn, year),
    )


def _finding(outcome: Any) -> Finding:
    """A GX runner's ExpectationOutcome as the report's plain Finding."""
    names = {"min_value": "min", "max_value": "max", "value": "value"}
    return Finding(
        suite=outcome.suite,
        severity=outcome.severity,
        check=outcome.check,
        batch=outcome.batch,
        bounds={names[k]: v for k, v in outcome.bounds.items()},
        count=outcome.count,
        total=outcome.total,
        examples=outcome.examples,
        observed=outcome.observed_value,
        error=outcome.error,
    )


def validation_summary(
    stages: Sequence[Any], docs_link: str | None = "validation/index.html"
) -> ValidationSummary:
    """What the report's validation box shows, from the ValidationOutcomes of the stages run."""
    findings = [_finding(f) for stage in stages for f in stage.failures]
    return ValidationSummary(
        checks=sum(stage.checks for stage in stages),
        warnings=[f for f in findings if f.severity == "warning"],
        blocking=[f for f in findings if f.severity == "critical"],
        docs_link=docs_link,
    )


#: From this many scored units on, the workbook is written in a child process while the CSV files
#: and the page are written: it is still the slowest file (pure Python around XlsxWriter), and the
#: machine has a second core. Below it, starting a process costs more than it saves.
WORKBOOK_PROCESS_UNITS = 50_000


def _write_files(
    data: ReportData,
    out: Path,
    lang: str,
    top_n: int,
    max_rows: int,
    write_tables: Callable[[], list[Path]],
) -> list[Path]:
    """`write_tables()` (the CSV files, if any), then report.html and report.xlsx."""
    out = Path(out)
    with ExitStack() as stack:
        workbook = None
        if len(data.scores) >= WORKBOOK_PROCESS_UNITS:
            # spawn, not fork: the parent runs Prefect's and DuckDB's threads.
            pool = stack.enter_context(
                ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            )
            workbook = pool.submit(write_xlsx, out / "report.xlsx", data, lang, max_rows=max_rows)
        tables = write_tables()
        html = write_html(out / "report.html", data, lang, top_n=top_n)
        book = (
            workbook.result() if workbook else write_xlsx(out / "report.xlsx", data, lang, max_rows=max_rows)
        )
    return [*tables, html, book]


@task(cache_policy=NO_CACHE)
def write_reports_task(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    out: Path,
    lang: str = "en",
    validation: ValidationSummary | None = None,
    *,
    top_n: int = DEFAULT_TOP_N,
    max_rows: int = MAX_ROWS,
) -> list[Path]:
    """Write report.html and report.xlsx of an allocation run into `out`; returns both paths.

    Both are read from one `ReportData`, so the page and the workbook always show the same figures.
    `validation` is the dataset-validation outcome (None: the page says "validation not run").
    """
    data = load_report_data(conn, year, allocation_run_id, validation)
    return _write_files(data, Path(out), lang, top_n, max_rows, list)


@task(cache_policy=NO_CACHE)
def write_outputs_task(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    score_run_id: int,
    out: Path,
    lang: str = "en",
    validation: ValidationSummary | None = None,
) -> list[Path]:
    """Write every published file of SPEC section 9: scores.csv, allocations.csv, quarantine.csv,
    report.html and report.xlsx (the workbook alongside the others for a large year)."""
    data = load_report_data(conn, year, allocation_run_id, validation)
    return _write_files(
        data,
        Path(out),
        lang,
        DEFAULT_TOP_N,
        MAX_ROWS,
        lambda: write_csv_outputs(conn, year, allocation_run_id, score_run_id, Path(out)),
    )


def feedback_inputs(conn: duckdb.DuckDBPyConnection, year: int) -> FeedbackInputs:
    """What the per-unit feedback sheets show, from the year's latest score run and allocation.

    Percentiles are recomputed from the accepted submissions (`indicator_scores`, the same pure
    code scoring used; they do not depend on the weights); reviews a steward excluded are left out,
    as in scoring.
    """
    from unionflow.assessment import indicator_scores, load_config
    from warehouse.review_exclusions import excluded_reviews

    latest = score_runs.latest_score_run(conn, year)
    if latest is None:
        raise not_scored(year)
    scores = score_runs.scores_of(conn, latest.score_run_id)
    units = inputs.active_units(conn, year)
    submissions = inputs.accepted_submissions(conn, year)
    percentiles = indicator_scores(
        units[units["unit_id"].isin(scores["unit_id"])], submissions, load_config()
    )
    reviews = inputs.accepted_reviews(conn, year)
    reviews = reviews[~reviews["review_id"].isin(excluded_reviews(conn, year))]
    allocation = allocation_runs.latest_allocation_run(conn, year)
    amounts: dict[str, int] = {}
    if allocation is not None and allocation.score_run_id == latest.score_run_id:
        rows = allocation_runs.allocations_of(conn, allocation.allocation_run_id)
        amounts = {str(u): int(a) for u, a in zip(rows["unit_id"], rows["amount_cny"], strict=True)}
    return FeedbackInputs(
        year=year,
        scores=scores,
        percentiles=percentiles,
        reviews=reviews,
        amounts=amounts,
        history=unit_history(conn, year),
    )
