"""The public notice (公示) stage: post the notice of a run, which opens its objection period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from unionflow.reports.catalogue import catalogue
from unionflow.reports.notice import NoticeSettings, notice_content, write_notice_files
from warehouse import allocation_runs, score_runs
from warehouse.connection import WarehouseError
from warehouse.missing import no_allocation
from warehouse.publication import record_notice


def write_notice(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    out: Path,
    lang: str,
    now: dt.datetime,
    settings: NoticeSettings | None = None,
) -> list[Path]:
    """Post the notice of the year's latest allocation run and write notice.md and notice.html.

    Posting records the notice stage and opens the objection period (see
    `warehouse.publication.record_notice`; posting the same run again keeps its period).
    """
    catalogue(lang)  # a ValueError for an unsupported language, before anything is recorded
    settings = settings or NoticeSettings()
    latest = allocation_runs.latest_allocation_run(conn, year)
    if latest is None:
        raise no_allocation(year)
    if latest.allocation_run_id != allocation_run_id:
        raise WarehouseError(
            f"allocation run {allocation_run_id} is not the latest of {year} "
            f"(run {latest.allocation_run_id}); a notice always shows the latest allocation"
        )
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    notice = record_notice(
        conn,
        year,
        allocation_run_id,
        now,
        objection_days=settings.objection_days,
        contact=settings.contact,
        timezone=settings.timezone,
    )
    allocations = allocation_runs.allocations_of(conn, allocation_run_id)
    scores = score_runs.scores_of(conn, latest.score_run_id)
    levels = dict(zip(scores["unit_id"], scores["level"], strict=True))
    content = notice_content(allocations, levels, notice, latest.budget, lang, settings)
    return write_notice_files(content, out)


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
