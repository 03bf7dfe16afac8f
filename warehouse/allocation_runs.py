"""Allocation runs in the warehouse: drafts, the published run and the superseded ones."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import duckdb

from warehouse.connection import MissingData
from warehouse.run_rows import AllocationRun
from warehouse.sql import first_row, records, run, statement, transaction

if TYPE_CHECKING:
    import pandas as pd  # only in annotations: reading a row needs no pandas (issue 15)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _next_id(conn: duckdb.DuckDBPyConnection) -> int:
    # Sequential ids keep a fresh warehouse deterministic for the same inputs.
    row = first_row(conn, statement("next_allocation_run_id"))
    return int(row[0]) if row else 1


def find_allocation_run(
    conn: duckdb.DuckDBPyConnection, year: int, score_run_id: int, config_hash: str, input_hash: str
) -> int | None:
    """The year's latest allocation run if it was made from this score run, config and inputs."""
    latest = latest_allocation_run(conn, year)
    if (
        latest
        and latest.score_run_id == score_run_id
        and latest.config_hash == config_hash
        and latest.input_hash == input_hash
    ):
        return latest.allocation_run_id
    return None


def save_allocation_run(
    conn: duckdb.DuckDBPyConnection,
    *,
    year: int,
    score_run_id: int,
    method: str,
    budget: int,
    floor: int,
    cap: int,
    step: int,
    allocated: int,
    config_hash: str,
    input_hash: str,
    allocations: pd.DataFrame,
    leftover: tuple[str, dict[str, int | float | str]] | None = None,
) -> int:
    """Store a draft allocation run and its rows; returns its id.

    `leftover`: why more than one step stays unallocated (code, figures), stored with the run.
    """
    with transaction(conn):
        run_id = _next_id(conn)
        run(
            conn,
            statement("record_allocation_run"),
            [
                run_id,
                year,
                score_run_id,
                method,
                budget,
                floor,
                cap,
                step,
                allocated,
                budget - allocated,
                config_hash,
                input_hash,
                _now(),
            ],
        )
        conn.register("incoming_allocations", allocations.assign(allocation_run_id=run_id, year=year))
        try:
            run(
                conn,
                statement("record_allocations"),
            )
        finally:
            conn.unregister("incoming_allocations")
        if leftover is not None:
            code, params = leftover
            run(
                conn,
                statement("record_allocation_leftover"),
                [run_id, code, json.dumps(params, sort_keys=True, ensure_ascii=False)],
            )
    return run_id


def allocation_leftover(
    conn: duckdb.DuckDBPyConnection, allocation_run_id: int
) -> tuple[str, dict[str, object]] | None:
    """Why a run leaves more than one step unallocated (code, figures), or None."""
    row = first_row(conn, statement("allocation_leftover"), {"id": allocation_run_id})
    return None if row is None else (str(row[0]), json.loads(str(row[1])))


def _one(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, int]) -> AllocationRun | None:
    rows = records(conn, statement(name), params)
    return AllocationRun.from_record(rows[0]) if rows else None


def allocation_run(conn: duckdb.DuckDBPyConnection, allocation_run_id: int) -> AllocationRun | None:
    """One allocation run by id, or None."""
    return _one(conn, "allocation_run", {"id": allocation_run_id})


def existing_allocation_run(conn: duckdb.DuckDBPyConnection, allocation_run_id: int) -> AllocationRun:
    """The allocation run with this id; `MissingData` when there is none."""
    found = allocation_run(conn, allocation_run_id)
    if found is None:
        raise MissingData(f"allocation run {allocation_run_id} does not exist")
    return found


def latest_allocation_run(conn: duckdb.DuckDBPyConnection, year: int) -> AllocationRun | None:
    """The newest allocation run of a year, or None."""
    return _one(conn, "latest_allocation_run", {"year": year})


def published_run(conn: duckdb.DuckDBPyConnection, year: int) -> AllocationRun | None:
    """The allocation run currently published for a year, or None."""
    return _one(conn, "published_allocation_run", {"year": year})


def allocations_of(conn: duckdb.DuckDBPyConnection, allocation_run_id: int) -> pd.DataFrame:
    """The allocation list of a run, sorted by amount descending then unit_id."""
    return conn.sql(
        statement("allocations"),
        params={"id": allocation_run_id},
    ).df()


def mark_published(
    conn: duckdb.DuckDBPyConnection, allocation_run_id: int, *, supersede: int | None, reason: str | None
) -> None:
    """Publish a run; the previously published run of the year (if any) becomes superseded."""
    with transaction(conn):
        if supersede is not None:
            run(
                conn,
                statement("supersede_allocation_run"),
                [reason, supersede],
            )
        run(
            conn,
            statement("publish_allocation_run"),
            [_now(), allocation_run_id],
        )
