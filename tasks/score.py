"""Scoring a year: load the accepted records, run the pure scoring, store the run."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from unionflow.assessment import (
    AssessmentConfig,
    config_hash,
    review_flags,
    score_year,
    unit_flags,
    with_overrides,
)
from warehouse import inputs, score_runs
from warehouse.missing import no_active_units, nothing_to_score


@dataclass(frozen=True)
class ScoreOutcome:
    """Which score run holds the year's scores, and whether it was computed now or reused."""

    score_run_id: int
    reused: bool
    units: int
    scored: int
    flags: int
    config_hash: str
    input_hash: str


def calibration_comparison(
    units: pd.DataFrame,
    submissions: pd.DataFrame,
    reviews: pd.DataFrame,
    cfg: AssessmentConfig,
    scores: pd.DataFrame,
) -> pd.DataFrame | None:
    """With the calibrated method, each unit's total and rank under the default trimmed mean too."""
    if cfg.peer.method != "calibrated":
        return None
    baseline = score_year(units, submissions, reviews, with_overrides(cfg, peer_method="trimmed_mean"))
    both = scores[["unit_id", "total", "rank"]].merge(
        baseline[["unit_id", "total", "rank"]], on="unit_id", suffixes=("_calibrated", "_trimmed_mean")
    )
    return both.rename(
        columns={"rank_calibrated": "rank_calibrated", "rank_trimmed_mean": "rank_trimmed_mean"}
    )


@task(cache_policy=NO_CACHE)
def score_year_task(conn: duckdb.DuckDBPyConnection, year: int, cfg: AssessmentConfig) -> ScoreOutcome:
    """Score every active pilot unit of `year` (SPEC section 7) and store the run with its hashes.

    The same inputs and config reuse the latest identical run instead of storing a copy.
    """
    data = inputs.score_inputs(conn, year)
    units, submissions, scoring_reviews, input_hash = (
        data.units,
        data.submissions,
        data.reviews,
        data.input_hash,
    )
    if units.empty:
        raise no_active_units(year)
    if submissions.empty:
        # Every unit would be `missing`: a run of nothing would look like a result.
        raise nothing_to_score(year)
    config = config_hash(cfg)
    existing = score_runs.find_score_run(conn, year, config, input_hash)
    if existing is not None:
        scores = score_runs.scores_of(conn, existing)
        flags_count = len(score_runs.review_flags_of(conn, existing))
        return ScoreOutcome(
            existing, True, len(scores), int(scores["total"].notna().sum()), flags_count, config, input_hash
        )
    flags = review_flags(scoring_reviews, cfg)
    scores = score_year(units, submissions, scoring_reviews, cfg, extra_flags=unit_flags(flags))
    comparison = calibration_comparison(units, submissions, scoring_reviews, cfg, scores)
    run_id = score_runs.save_score_run(
        conn,
        year=year,
        peer_method=cfg.peer.method,
        config_hash=config,
        input_hash=input_hash,
        scores=scores,
        flags=flags,
    )
    if comparison is not None:
        score_runs.save_comparison(conn, run_id, comparison)
    return ScoreOutcome(
        run_id, False, len(scores), int(scores["total"].notna().sum()), len(flags), config, input_hash
    )
