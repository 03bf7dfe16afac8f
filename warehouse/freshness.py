"""Whether a year's results are current: each stage's state, and what is stale and why
(`unionflow status`, and the publish flow's refusal to publish stale results).

A score run records the hash of the inputs it read (`warehouse.inputs.score_inputs`); when a
steward's release, reject or review exclusion, or a new collection, changes the accepted inputs,
the current hash differs and the score run, the allocations made from it and a publication of
them are stale. An allocation run made from an older score run than the latest is stale too.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from unionflow.next_step import RunCommand, SeeCommand
from warehouse import allocation_runs, score_runs
from warehouse.connection import WarehouseError
from warehouse.inputs import score_inputs
from warehouse.publication import latest_notice
from warehouse.run_rows import AllocationRun
from warehouse.sql import first_row, statement


class StaleResults(WarehouseError):
    """The results asked for were computed from inputs that have changed since (exit code 2)."""


@dataclass(frozen=True)
class StageState:
    """One stage of a year: `state` (done, missing or stale), what it holds, and why it is stale."""

    stage: str
    state: str
    detail: str
    why_stale: str | None = None


def _year_payloads(conn: duckdb.DuckDBPyConnection, year: int) -> int:
    row = first_row(conn, statement("year_payload_count"), {"year": year})
    return int(row[0]) if row else 0


def year_status(conn: duckdb.DuckDBPyConnection, year: int) -> list[StageState]:
    """collected, scored, allocated, notice and published, in order, with staleness."""
    stages = []
    received = _year_payloads(conn, year)
    stages.append(
        StageState("collected", "done" if received else "missing", f"{received:,} records received")
    )
    current = score_inputs(conn, year).input_hash
    latest_score = score_runs.latest_score_run(conn, year)
    score_id = None if latest_score is None else latest_score.score_run_id
    score_stale = None
    if latest_score is None:
        stages.append(StageState("scored", "missing", "no score run"))
    else:
        if latest_score.input_hash != current:
            score_stale = (
                f"the accepted inputs changed since score run {score_id} (a steward's decision or a "
                "new collection)"
            )
        stages.append(
            StageState("scored", "stale" if score_stale else "done", f"score run {score_id}", score_stale)
        )
    stages.append(_allocation_stage(allocation_runs.latest_allocation_run(conn, year), score_id, score_stale))
    notice = latest_notice(conn, year)
    stages.append(
        StageState("notice", "missing", "no notice posted")
        if notice is None
        else StageState(
            "notice", "done", f"run {notice.allocation_run_id}, objections until {notice.period_end}"
        )
    )
    published = allocation_runs.published_run(conn, year)
    stages.append(_allocation_stage(published, score_id, score_stale, stage="published"))
    return stages


def _allocation_stage(
    run: AllocationRun | None,
    latest_score_id: int | None,
    score_stale: str | None,
    stage: str = "allocated",
) -> StageState:
    if run is None:
        return StageState(stage, "missing", "no allocation run" if stage == "allocated" else "not published")
    run_id, made_from = run.allocation_run_id, run.score_run_id
    detail = f"allocation run {run_id} (from score run {made_from})"
    why = None
    if made_from != latest_score_id:
        why = f"made from score run {made_from}, not the latest score run {latest_score_id}"
    elif score_stale:
        why = f"made from stale scores: {score_stale}"
    return StageState(stage, "stale" if why else "done", detail, why)


def check_current(conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int) -> None:
    """Refuse (`StaleResults`) to publish an allocation run whose scores are no longer current."""
    run = allocation_runs.allocation_run(conn, allocation_run_id)
    latest = score_runs.latest_score_run(conn, year)
    if run is None or latest is None:
        return
    made_from = run.score_run_id
    current = score_inputs(conn, year).input_hash
    if made_from != latest.score_run_id or latest.input_hash != current:
        raise StaleResults(
            f"allocation run {allocation_run_id} of {year} is stale: the accepted inputs changed since "
            f"its score run {made_from}",
            next_steps=(
                RunCommand.of("score", "--year", year),
                RunCommand.of("allocate", "--year", year),
                SeeCommand.of("status", "--year", year),
            ),
        )
