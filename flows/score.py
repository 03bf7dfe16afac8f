"""The `score` flow: score a year's pilot units from the accepted submissions and reviews."""

from __future__ import annotations

from prefect import flow

from tasks.score import ScoreOutcome, score_year_task
from unionflow.assessment import resolve_config
from warehouse.connection import open_warehouse


@flow(name="score")
def score(
    year: int, db: str = "unionflow.duckdb", config: str | None = None, peer_method: str | None = None
) -> ScoreOutcome:
    """Score the year's pilot units from the accepted submissions and reviews (SPEC section 7)."""
    cfg = resolve_config(config, peer_method=peer_method)
    with open_warehouse(db) as conn:
        return score_year_task(conn, year, cfg)
