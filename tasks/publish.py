"""Publishing a year's allocation: mark the run published and write the output files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from unionflow.reports.csv_files import write_allocations, write_quarantine, write_scores
from warehouse import allocation_runs, inputs, score_runs
from warehouse.freshness import check_current
from warehouse.missing import no_allocation
from warehouse.publication import already_published, check_final_allowed, record_final
from warehouse.snapshot import refresh_snapshot

if TYPE_CHECKING:
    from tasks.validate import ValidationOutcome


@dataclass(frozen=True)
class Publication:
    """What publishing did: the run, the run it replaced (if any) and the files written.

    `blocked` is true when critical validation failures stopped publication: nothing was marked
    published and no result file was written; `failures` says what failed.
    """

    allocation_run_id: int
    score_run_id: int
    superseded_run_id: int | None
    files: list[Path] = field(default_factory=list)
    stage: str = "publish"
    blocked: bool = False
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@task(cache_policy=NO_CACHE)
def publish_run_task(
    conn: duckdb.DuckDBPyConnection, year: int, supersede: str | None
) -> tuple[int, int, int | None]:
    """Mark the year's latest allocation run published; returns (run, score run, superseded run).

    Publishing the run that is already published is a no-op. Publishing a different run needs a
    supersede reason; the old run is kept, marked `superseded`.
    """
    latest = allocation_runs.latest_allocation_run(conn, year)
    if latest is None:
        raise no_allocation(year)
    run_id, score_run_id = latest.allocation_run_id, latest.score_run_id
    current = allocation_runs.published_run(conn, year)
    if current is not None and current.allocation_run_id == run_id:
        return run_id, score_run_id, None
    previous = None if current is None else current.allocation_run_id
    if previous is not None and not supersede:
        raise already_published(year, previous, run_id)
    allocation_runs.mark_published(conn, run_id, supersede=previous, reason=supersede)
    return run_id, score_run_id, previous


def write_csv_outputs(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int, score_run_id: int, out: Path
) -> list[Path]:
    """Write scores.csv, allocations.csv and quarantine.csv of SPEC section 9 into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "scores.csv", out / "allocations.csv", out / "quarantine.csv"]
    write_scores(files[0], score_runs.scores_of(conn, score_run_id))
    write_allocations(files[1], allocation_runs.allocations_of(conn, allocation_run_id))
    write_quarantine(files[2], inputs.year_quarantine(conn, year))
    return files


def allocation_payload(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int
) -> dict[str, object]:
    """The published allocation as the portal receives it (POST /api/v1/allocations/{year})."""
    run = allocation_runs.existing_allocation_run(conn, allocation_run_id)
    rows = allocation_runs.allocations_of(conn, allocation_run_id)
    return {
        "year": year,
        "allocation_run_id": allocation_run_id,
        "config_hash": run.config_hash,
        "input_hash": run.input_hash,
        "budget": run.budget,
        "allocated": run.allocated,
        "allocations": [
            {
                "unit_id": r.unit_id,
                "name": r.name,
                "grade": r.grade,
                "amount_cny": int(r.amount_cny),
                "reason": r.reason,
            }
            for r in rows.itertuples(index=False)
        ],
    }


def idempotency_key(payload: dict[str, object]) -> str:
    """The run id and the hashes that made it: a retried post of the same run is applied once."""
    return (
        f"allocations-{payload['year']}-run{payload['allocation_run_id']}-"
        f"{str(payload['config_hash'])[:12]}-{str(payload['input_hash'])[:12]}"
    )


# No task-level retries: the portal client retries transient faults itself, and a refused token
# must fail at once (a retry on top multiplied the attempts of one push).
@task(cache_policy=NO_CACHE)
def post_allocation_task(conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int, to: str) -> str:
    """Push the published allocation to the portal (idempotent by key); returns the key used."""
    from tasks.portal import portal_token
    from unionflow.sources.portal_client import post_to_portal

    payload = allocation_payload(conn, year, allocation_run_id)
    key = idempotency_key(payload)
    post_to_portal(to, f"/api/v1/allocations/{year}", payload, key, portal_token())
    return key


@task(cache_policy=NO_CACHE)
def latest_run_task(conn: duckdb.DuckDBPyConnection, year: int) -> tuple[int, int]:
    """(allocation run, score run) of the year's latest allocation; MissingData when there is none."""
    latest = allocation_runs.latest_allocation_run(conn, year)
    if latest is None:
        raise no_allocation(year)
    return latest.allocation_run_id, latest.score_run_id


@task(cache_policy=NO_CACHE)
def check_current_task(conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int) -> None:
    """Refuse to publish (or post a notice of) an allocation run whose scores are stale."""
    check_current(conn, year, allocation_run_id)


@task(cache_policy=NO_CACHE)
def check_final_task(
    conn: duckdb.DuckDBPyConnection, year: int, now: dt.datetime, force: str | None, *, forced_by: str
) -> None:
    """Refuse the final stage while the objection period is open or objections are unresolved,
    unless `force` gives a reason (recorded with `forced_by`, the user who forced it)."""
    check_final_allowed(conn, year, now, force, forced_by=forced_by)


@task(cache_policy=NO_CACHE)
def record_final_task(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int, now: dt.datetime, force: str | None
) -> None:
    """Record the final publication stage of the run."""
    record_final(conn, year, allocation_run_id, now, force)


@task(cache_policy=NO_CACHE)
def changes_publication_task(conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int) -> bool:
    """Whether publishing the run changes what is published (then it is bracketed by backups)."""
    current = allocation_runs.published_run(conn, year)
    return current is None or current.allocation_run_id != allocation_run_id


@task(cache_policy=NO_CACHE)
def refresh_snapshot_task(conn: duckdb.DuckDBPyConnection, db: str) -> None:
    """Refresh the read snapshot, so stewards can read while the next flow writes."""
    refresh_snapshot(conn, db)


def gate(checks: Sequence[ValidationOutcome]) -> tuple[list[str], list[str]]:
    """(critical failures, warnings) of the validation stages: any failure blocks publication."""
    failures = [line for check in checks for line in check.critical_failures]
    warnings = [line for check in checks for line in check.warnings]
    return failures, warnings
