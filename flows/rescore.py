"""The `rescore` flow: re-score a year and re-allocate it as a draft, never publishing.

The `rescore` deployment (prefect.yaml) runs it when a steward's decision changed the year's
accepted inputs (flows/events.py), so the scores and the draft allocation are current again
before anyone looks; publishing stays a person's decision (`unionflow publish`).
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import flow

from tasks.allocate import AllocationOutcome, allocate_year_task
from tasks.score import ScoreOutcome, score_year_task
from unionflow.assessment import resolve_config
from warehouse.connection import open_warehouse


@dataclass(frozen=True)
class RescoreOutcome:
    """The score run and the draft allocation run that are the year's latest afterwards."""

    score: ScoreOutcome
    allocation: AllocationOutcome


@flow(name="rescore")
def rescore(year: int, db: str = "unionflow.duckdb", config: str | None = None) -> RescoreOutcome:
    """Score the year from its accepted inputs, then allocate from those scores as a draft run.

    Unchanged inputs reuse the identical runs (the tasks look them up), so a decision that changed
    nothing, or a second event for the same decision, stores nothing new.
    """
    cfg = resolve_config(config)
    with open_warehouse(db) as conn:
        scored = score_year_task(conn, year, cfg)
        allocated = allocate_year_task(conn, year, cfg)
    return RescoreOutcome(scored, allocated)
