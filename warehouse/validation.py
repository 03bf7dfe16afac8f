"""Dataset-validation inputs and history: what the GX suites read and the `validation_runs` table.

Frames are read through `conn.sql(...).df()` (Arrow → pandas): GX validates pandas frames, not
DuckDB tables. One `validation_runs` row is stored per suite and run, its `summary` a JSON object:
`stage`, `run_name`, `severity`, `allocation_run_id`, `rows` (per derived frame), `failures`
(one human line each), `expectations` (every check with its result) and `docs_index`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from unionflow.next_step import RunCommand
from warehouse.connection import MissingData
from warehouse.inputs import accepted_review_scores
from warehouse.sql import first_row, run, statement, transaction


def _submissions(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return conn.sql(statement("gx_accepted_submissions"), params={"year": year}).df()


def active_unit_ids(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """unit_id of every pilot unit active in `year`."""
    return conn.sql(statement("active_unit_ids"), params={"year": year}).df()


def record_inputs(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, pd.DataFrame]:
    """What the records stage validates: the year's accepted submissions and reviews, the units
    active in the year and the previous year's accepted submissions (for year-over-year jumps)."""
    return {
        "submissions": _submissions(conn, year),
        "previous": _submissions(conn, year - 1),
        "active_units": active_unit_ids(conn, year),
        "reviews": accepted_review_scores(conn, year),
    }


def score_inputs(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """What the scores stage validates: the scores of the run's score run, its allocations, the run."""
    runs = conn.sql(
        statement("gx_allocation_run"),
        params={"id": allocation_run_id, "year": year},
    ).df()
    if runs.empty:
        raise MissingData(
            f"no allocation run {allocation_run_id} for {year}",
            next_steps=(RunCommand.of("allocate", "--year", year),),
        )
    allocation_run = runs.iloc[0].to_dict()
    scores = conn.sql(
        statement("gx_scores"),
        params={"id": int(allocation_run["score_run_id"])},
    ).df()
    allocations = conn.sql(
        statement("gx_allocations"),
        params={"id": allocation_run_id},
    ).df()
    return scores, allocations, allocation_run


def latest_year(conn: duckdb.DuckDBPyConnection) -> int | None:
    """The newest year with accepted submissions, or None."""
    row = first_row(conn, statement("latest_accepted_year"))
    return None if row is None or row[0] is None else int(row[0])


def latest_allocation_run(conn: duckdb.DuckDBPyConnection, year: int) -> int | None:
    """The newest allocation run of a year, or None."""
    row = first_row(conn, statement("latest_allocation_run_id"), [year])
    return None if row is None or row[0] is None else int(row[0])


def save_validation_runs(
    conn: duckdb.DuckDBPyConnection, year: int, runs: Sequence[dict[str, Any]]
) -> list[int]:
    """Store one row per suite (keys: suite, success, evaluated, failed, summary); returns the ids."""
    started_at = dt.datetime.now(dt.UTC)
    ids: list[int] = []
    with transaction(conn):
        row = first_row(conn, statement("last_validation_run_id"))
        next_id = (int(row[0]) if row else 0) + 1
        for offset, entry in enumerate(runs):
            validation_run_id = next_id + offset
            run(
                conn,
                statement("record_validation_run"),
                [
                    validation_run_id,
                    year,
                    entry["suite"],
                    bool(entry["success"]),
                    int(entry["evaluated"]),
                    int(entry["failed"]),
                    json.dumps(entry["summary"], ensure_ascii=False, sort_keys=True, default=str),
                    started_at,
                ],
            )
            ids.append(validation_run_id)
    return ids


def validation_history(
    conn: duckdb.DuckDBPyConnection,
    *,
    year: int | None = None,
    suite: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Validation runs, newest first, with the stage and failure lines unpacked from the summary."""
    return conn.sql(
        statement("validation_runs"),
        params={"year": year, "suite": suite, "limit": limit},
    ).df()
