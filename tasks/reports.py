"""Prefect tasks that write the leadership reports (report.html, report.xlsx) and the public notice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from reports.data import ValidationSummary, load_report_data
from reports.html import DEFAULT_TOP_N, write_html
from reports.notice import NoticeSettings, write_notice
from reports.xlsx import MAX_ROWS, write_xlsx

__all__ = ["ValidationSummary", "write_notice_task", "write_reports_task"]


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
    out = Path(out)
    return [
        write_html(out / "report.html", data, lang, top_n=top_n),
        write_xlsx(out / "report.xlsx", data, lang, max_rows=max_rows),
    ]


@task(cache_policy=NO_CACHE)
def write_notice_task(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    out: Path,
    lang: str = "en",
    now: dt.datetime | None = None,
    settings: NoticeSettings | None = None,
) -> list[Path]:
    """Post the public notice of the run (opens the objection period) and write notice.md/.html."""
    return write_notice(
        conn, year, allocation_run_id, Path(out), lang, now or dt.datetime.now(dt.UTC), settings
    )
