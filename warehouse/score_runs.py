"""Score runs in the warehouse: scores, review flags and method comparisons, each run hashed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from warehouse.run_rows import ScoreRun
from warehouse.sql import first_row, records, run, statement, transaction

if TYPE_CHECKING:
    import pandas as pd  # only in annotations: reading a row needs no pandas (issue 15)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _next_id(conn: duckdb.DuckDBPyConnection) -> int:
    # Sequential ids keep a fresh warehouse deterministic for the same inputs.
    row = first_row(conn, statement("next_score_run_id"))
    return int(row[0]) if row else 1


def find_score_run(
    conn: duckdb.DuckDBPyConnection, year: int, config_hash: str, input_hash: str
) -> int | None:
    """The year's latest score run if it was made from exactly this config and these inputs.

    Only the latest run is reused: reusing an older one would make "latest" point elsewhere.
    """
    latest = latest_score_run(conn, year)
    if latest and latest.config_hash == config_hash and latest.input_hash == input_hash:
        return latest.score_run_id
    return None


def save_score_run(
    conn: duckdb.DuckDBPyConnection,
    *,
    year: int,
    peer_method: str,
    config_hash: str,
    input_hash: str,
    scores: pd.DataFrame,
    flags: pd.DataFrame,
) -> int:
    """Store a score run with its scores and review flags; returns its id."""
    with transaction(conn):
        score_run_id = _next_id(conn)
        run(
            conn,
            statement("record_score_run"),
            [score_run_id, year, peer_method, config_hash, input_hash, _now()],
        )
        table = scores.assign(
            score_run_id=score_run_id, year=year, config_hash=config_hash, input_hash=input_hash
        )
        conn.register("incoming_scores", table)
        try:
            run(
                conn,
                statement("record_scores"),
            )
        finally:
            conn.unregister("incoming_scores")
        conn.register("incoming_flags", flags.assign(score_run_id=score_run_id, year=year))
        try:
            run(
                conn,
                statement("record_review_flags"),
            )
        finally:
            conn.unregister("incoming_flags")
    return score_run_id


def latest_score_run(conn: duckdb.DuckDBPyConnection, year: int) -> ScoreRun | None:
    """The newest score run of a year, or None."""
    rows = records(conn, statement("latest_score_run"), {"year": year})
    return ScoreRun.from_record(rows[0]) if rows else None


def score_run(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> ScoreRun | None:
    """One score run by id (its peer method, hashes and creation time), or None."""
    rows = records(conn, statement("score_run"), {"id": score_run_id})
    return ScoreRun.from_record(rows[0]) if rows else None


def scores_of(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> pd.DataFrame:
    """The score table of a run, sorted by rank then unit_id (unranked last)."""
    return conn.sql(
        statement("scores"),
        params={"id": score_run_id},
    ).df()


def review_flags_of(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> pd.DataFrame:
    """The review flags of a score run."""
    return conn.sql(
        statement("review_flags"),
        params={"id": score_run_id},
    ).df()


def save_comparison(conn: duckdb.DuckDBPyConnection, score_run_id: int, comparison: pd.DataFrame) -> None:
    """Store the trimmed-mean vs calibrated ranks of a calibrated score run."""
    conn.register("incoming_comparison", comparison.assign(score_run_id=score_run_id))
    try:
        run(
            conn,
            statement("record_score_comparisons"),
        )
    finally:
        conn.unregister("incoming_comparison")


def comparison_of(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> pd.DataFrame:
    """The rank comparison of a calibrated score run (empty for other methods)."""
    return conn.sql(
        statement("score_comparisons"),
        params={"id": score_run_id},
    ).df()
