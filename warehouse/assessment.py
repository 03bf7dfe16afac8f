"""Scoring inputs, score runs and allocation runs in the warehouse."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.sql import first_row, run, transaction


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _next_id(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    # Sequential ids keep a fresh warehouse deterministic for the same inputs.
    queries = {
        "score_runs": "select coalesce(max(score_run_id), 0) + 1 from score_runs",
        "allocation_runs": "select coalesce(max(allocation_run_id), 0) + 1 from allocation_runs",
    }
    row = first_row(conn, queries[table])
    return int(row[0]) if row else 1


def active_units(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """Pilot units active in `year`: the population that is scored and gets an allocation row."""
    return conn.sql(
        """
        select unit_id, name, level, district, batch, sector, parent_union
        from units
        where active_from <= $year and coalesce(active_to, 9999) >= $year
        order by unit_id
        """,
        params={"year": year},
    ).df()


def accepted_submissions(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The one current submission per unit for `year`."""
    return conn.sql(
        """
        select * exclude (innovation_value_cny, status, payload_id),
               cast(innovation_value_cny as double) as innovation_value_cny
        from submissions
        where year = $year and status = 'accepted'
        order by unit_id
        """,
        params={"year": year},
    ).df()


def accepted_reviews(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The current valid review of each reviewer → reviewee pair for `year`."""
    return conn.sql(
        """
        select review_id, reviewer_unit_id, reviewee_unit_id,
               guidance, skills, innovation, institution, service, submitted_at, comment
        from reviews
        where year = $year and status = 'accepted'
        order by review_id
        """,
        params={"year": year},
    ).df()


def accepted_review_scores(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """`accepted_reviews` without comment and submitted_at: what scoring and the GX suites read.

    The comments are most of the bytes: at 1,000,000 units, turning them into pandas strings
    only to drop them was a fifth of the scoring stage's load time.
    """
    return conn.sql(
        """
        select review_id, reviewer_unit_id, reviewee_unit_id,
               guidance, skills, innovation, institution, service
        from reviews
        where year = $year and status = 'accepted'
        order by review_id
        """,
        params={"year": year},
    ).df()


def find_score_run(
    conn: duckdb.DuckDBPyConnection, year: int, config_hash: str, input_hash: str
) -> int | None:
    """The year's latest score run if it was made from exactly this config and these inputs.

    Only the latest run is reused: reusing an older one would make "latest" point elsewhere.
    """
    latest = latest_score_run(conn, year)
    if latest and latest["config_hash"] == config_hash and latest["input_hash"] == input_hash:
        return int(str(latest["score_run_id"]))
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
        score_run_id = _next_id(conn, "score_runs")
        run(
            conn,
            "insert into score_runs values (?, ?, ?, ?, ?, ?)",
            [score_run_id, year, peer_method, config_hash, input_hash, _now()],
        )
        table = scores.assign(
            score_run_id=score_run_id, year=year, config_hash=config_hash, input_hash=input_hash
        )
        conn.register("incoming_scores", table)
        try:
            run(
                conn,
                """
                insert into scores by name
                select score_run_id, year, unit_id, name, level, indicator_score, peer_score, bonus, total,
                       rank, rank_in_level, grade, n_reviews, flags, config_hash, input_hash
                from incoming_scores
                """,
            )
        finally:
            conn.unregister("incoming_scores")
        conn.register("incoming_flags", flags.assign(score_run_id=score_run_id, year=year))
        try:
            run(
                conn,
                """
                insert into review_flags by name
                select score_run_id, year, flag, reviewer_unit_id, reviewee_unit_id, evidence
                from incoming_flags
                """,
            )
        finally:
            conn.unregister("incoming_flags")
    return score_run_id


def latest_score_run(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, object] | None:
    """The newest score run of a year, or None."""
    frame = conn.sql(
        "select * from score_runs where year = $year order by score_run_id desc limit 1",
        params={"year": year},
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def scores_of(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> pd.DataFrame:
    """The score table of a run, sorted by rank then unit_id (unranked last)."""
    return conn.sql(
        """
        select year, unit_id, name, level, indicator_score, peer_score, bonus, total, rank,
               rank_in_level, grade, n_reviews, flags
        from scores
        where score_run_id = $id
        order by rank asc nulls last, unit_id
        """,
        params={"id": score_run_id},
    ).df()


def review_flags_of(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> pd.DataFrame:
    """The review flags of a score run."""
    return conn.sql(
        """
        select flag, reviewer_unit_id, reviewee_unit_id, evidence
        from review_flags
        where score_run_id = $id
        order by flag, reviewer_unit_id, reviewee_unit_id nulls first
        """,
        params={"id": score_run_id},
    ).df()


def find_allocation_run(
    conn: duckdb.DuckDBPyConnection, year: int, score_run_id: int, config_hash: str, input_hash: str
) -> int | None:
    """The year's latest allocation run if it was made from this score run, config and inputs."""
    latest = latest_allocation_run(conn, year)
    if (
        latest
        and latest["score_run_id"] == score_run_id
        and latest["config_hash"] == config_hash
        and latest["input_hash"] == input_hash
    ):
        return int(str(latest["allocation_run_id"]))
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
) -> int:
    """Store a draft allocation run and its rows; returns its id."""
    with transaction(conn):
        run_id = _next_id(conn, "allocation_runs")
        run(
            conn,
            """
            insert into allocation_runs (allocation_run_id, year, score_run_id, method, budget, floor,
                cap, step, allocated, unallocated, config_hash, input_hash, status, created_at)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)
            """,
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
                """
                insert into allocations by name
                select allocation_run_id, year, unit_id, name, total, grade, amount_cny, reason
                from incoming_allocations
                """,
            )
        finally:
            conn.unregister("incoming_allocations")
    return run_id


def allocation_run(conn: duckdb.DuckDBPyConnection, allocation_run_id: int) -> dict[str, object] | None:
    """One allocation run's metadata."""
    frame = conn.sql(
        "select * from allocation_runs where allocation_run_id = $id", params={"id": allocation_run_id}
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def latest_allocation_run(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, object] | None:
    """The newest allocation run of a year, or None."""
    frame = conn.sql(
        "select * from allocation_runs where year = $year order by allocation_run_id desc limit 1",
        params={"year": year},
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def published_run(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, object] | None:
    """The allocation run currently published for a year, or None."""
    frame = conn.sql(
        "select * from allocation_runs where year = $year and status = 'published'", params={"year": year}
    ).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def allocations_of(conn: duckdb.DuckDBPyConnection, allocation_run_id: int) -> pd.DataFrame:
    """The allocation list of a run, sorted by amount descending then unit_id."""
    return conn.sql(
        """
        select year, unit_id, name, total, grade, amount_cny, reason
        from allocations
        where allocation_run_id = $id
        order by amount_cny desc, unit_id
        """,
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
                "update allocation_runs set status = 'superseded', superseded_reason = ?"
                " where allocation_run_id = ?",
                [reason, supersede],
            )
        run(
            conn,
            "update allocation_runs set status = 'published', published_at = ? where allocation_run_id = ?",
            [_now(), allocation_run_id],
        )


def year_quarantine(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The quarantine that concerns a year: its submissions and reviews, and the registry's units."""
    return conn.sql(
        """
        select record_kind, source_ref, unit_id, year, rule, message
        from quarantine
        where year = $year or record_kind = 'unit'
        order by case record_kind when 'unit' then 1 when 'submission' then 2 else 3 end, quarantine_id
        """,
        params={"year": year},
    ).df()


def save_comparison(conn: duckdb.DuckDBPyConnection, score_run_id: int, comparison: pd.DataFrame) -> None:
    """Store the trimmed-mean vs calibrated ranks of a calibrated score run."""
    conn.register("incoming_comparison", comparison.assign(score_run_id=score_run_id))
    try:
        run(
            conn,
            """
            insert into score_comparisons by name
            select score_run_id, unit_id, total_trimmed_mean, rank_trimmed_mean, total_calibrated,
                   rank_calibrated
            from incoming_comparison
            """,
        )
    finally:
        conn.unregister("incoming_comparison")


def comparison_of(conn: duckdb.DuckDBPyConnection, score_run_id: int) -> pd.DataFrame:
    """The rank comparison of a calibrated score run (empty for other methods)."""
    return conn.sql(
        """
        select unit_id, total_trimmed_mean, rank_trimmed_mean, total_calibrated, rank_calibrated
        from score_comparisons where score_run_id = $id
        order by rank_calibrated nulls last, unit_id
        """,
        params={"id": score_run_id},
    ).df()
