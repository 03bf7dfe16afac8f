"""The `publish` flow: the validation gate, backups, the published run and its output files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow

from flows.settings import current_user
from tasks.backup import backup_task, prune_backups_task
from tasks.notice import write_notice_task
from tasks.publish import (
    Publication,
    changes_publication_task,
    check_current_task,
    check_final_task,
    gate,
    latest_run_task,
    post_allocation_task,
    publish_run_task,
    record_final_task,
    refresh_snapshot_task,
)
from tasks.reports import validation_summary, write_outputs_task
from tasks.validate import ValidationOutcome, validate_records_task, validate_scores_task
from unionflow.reports.notice import load_notice_settings
from warehouse.connection import open_warehouse


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
        run_id, score_run_id = latest_run_task(conn, year)
        check_current_task(conn, year, run_id)
        if stage == "notice":
            settings = load_notice_settings(Path(notice_config) if notice_config else None)
            files = write_notice_task(conn, year, run_id, folder, lang, None, settings)
            return Publication(run_id, score_run_id, None, files, stage="notice")
        now = dt.datetime.now(dt.UTC)
        if stage == "final":
            check_final_task(conn, year, now, force, forced_by=current_user())
        docs = folder / "validation"
        checks = [records_validation or validate_records_task(conn, year, docs)]
        checks.append(validate_scores_task(conn, year, run_id, docs))
        failures, warnings = gate(checks)
        if failures:
            return Publication(run_id, score_run_id, None, [], stage or "publish", True, failures, warnings)
        changes = changes_publication_task(conn, year, run_id)
        if changes:
            backup_task(conn, Path(db), year, run_id, "before")
        run_id, score_run_id, previous = publish_run_task(conn, year, supersede)
        if stage == "final":
            record_final_task(conn, year, run_id, now, force)
        files = write_outputs_task(conn, year, run_id, score_run_id, folder, lang, validation_summary(checks))
        if changes:
            backup_task(conn, Path(db), year, run_id, "after")
            prune_backups_task(conn, Path(db))
        refresh_snapshot_task(conn, db)
        if to:
            post_allocation_task(conn, year, run_id, to)
    return Publication(run_id, score_run_id, previous, files, stage or "publish", False, [], warnings)
