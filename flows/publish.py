"""The `publish` flow: the validation gate, backups, the published run and its output files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow

from flows.settings import current_user
from tasks.backup import backup_task
from tasks.notice import write_notice_task
from tasks.publish import Publication, post_allocation_task, publish_run_task
from tasks.reports import validation_summary, write_outputs_task
from tasks.validate import ValidationOutcome, validate_records_task, validate_scores_task
from unionflow.reports.notice import load_notice_settings
from warehouse import allocation_runs
from warehouse.connection import MissingData, open_warehouse
from warehouse.publication import check_final_allowed, record_final
from warehouse.snapshot import refresh_snapshot


@flow(name="publish")
def publish(
    year: int,
    out: str,
    db: str = "unionflow.duckdb",
    supersede: str | None = None,
    lang: str = "en",
    stage: str | None = None,
    force: str | None = None,
    to: str | None = None,
    notice_config: str | None = None,
    records_validation: ValidationOutcome | None = None,
) -> Publication:
    """Publish the year's latest allocation run and write the output files (SPEC section 9).

    `stage="notice"` only posts the public notice (公示) and opens the objection period;
    `stage="final"` publishes after it, refused while the period is open or an objection is
    unresolved unless `force` gives a reason. Critical validation failures (records and scores
    suites) block publication: nothing is marked published and no result file is written.
    """
    folder = Path(out)
    with open_warehouse(db) as conn:
        latest = allocation_runs.latest_allocation_run(conn, year)
        if latest is None:
            raise MissingData(f"{year} has no allocation; run `unionflow allocate --year {year}` first")
        run_id, score_run_id = int(str(latest["allocation_run_id"])), int(str(latest["score_run_id"]))
        if stage == "notice":
            settings = load_notice_settings(Path(notice_config) if notice_config else None)
            files = write_notice_task(conn, year, run_id, folder, lang, None, settings)
            return Publication(run_id, score_run_id, None, files, stage="notice")
        now = dt.datetime.now(dt.UTC)
        if stage == "final":
            check_final_allowed(conn, year, now, force, forced_by=current_user())
        docs = folder / "validation"
        checks = [records_validation or validate_records_task(conn, year, docs)]
        checks.append(validate_scores_task(conn, year, run_id, docs))
        failures = [line for check in checks for line in check.critical_failures]
        warnings = [line for check in checks for line in check.warnings]
        if failures:
            return Publication(run_id, score_run_id, None, [], stage or "publish", True, failures, warnings)
        current = allocation_runs.published_run(conn, year)
        # A publication that changes what is published is bracketed by backups (restorable).
        changes = current is None or int(str(current["allocation_run_id"])) != run_id
        if changes:
            backup_task(conn, Path(db), year, run_id, "before")
        run_id, score_run_id, previous = publish_run_task(conn, year, supersede)
        if stage == "final":
            record_final(conn, year, run_id, now, force)
        summary = validation_summary(checks)
        files = write_outputs_task(conn, year, run_id, score_run_id, folder, lang, summary)
        if changes:
            backup_task(conn, Path(db), year, run_id, "after")
        refresh_snapshot(conn, db)
        if to:
            post_allocation_task(conn, year, run_id, to)
    return Publication(run_id, score_run_id, previous, files, stage or "publish", False, [], warnings)
