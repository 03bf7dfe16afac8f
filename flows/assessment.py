"""The `score`, `allocate` and `publish` flows of the annual cycle."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from assessment import AssessmentConfig, load_config, with_overrides
from tasks.allocate import AllocationOutcome, allocate_year_task
from tasks.publish import Publication, publish_run_task, write_csv_outputs_task
from tasks.score import ScoreOutcome, score_year_task
from warehouse.connection import open_warehouse


def resolve_config(
    config: str | None = None,
    *,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
    peer_method: str | None = None,
) -> AssessmentConfig:
    """The scoring config file (or the packaged defaults) with command-line overrides applied."""
    cfg = load_config(Path(config) if config else None)
    return with_overrides(cfg, budget=budget, floor=floor, cap=cap, step=step, peer_method=peer_method)


@flow(name="score")
def score(
    year: int, db: str = "unionflow.duckdb", config: str | None = None, peer_method: str | None = None
) -> ScoreOutcome:
    """Score the year's pilot units from the accepted submissions and reviews (SPEC section 7)."""
    cfg = resolve_config(config, peer_method=peer_method)
    with open_warehouse(db) as conn:
        return score_year_task(conn, year, cfg)


@flow(name="allocate")
def allocate(
    year: int,
    db: str = "unionflow.duckdb",
    config: str | None = None,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
) -> AllocationOutcome:
    """Allocate the subsidy budget from the year's latest scores as a draft run (SPEC section 8)."""
    cfg = resolve_config(config, budget=budget, floor=floor, cap=cap, step=step)
    with open_warehouse(db) as conn:
        return allocate_year_task(conn, year, cfg)


@flow(name="publish")
def publish(year: int, out: str, db: str = "unionflow.duckdb", supersede: str | None = None) -> Publication:
    """Publish the year's latest allocation run and write the output files (SPEC section 9)."""
    with open_warehouse(db) as conn:
        run_id, score_run_id, previous = publish_run_task(conn, year, supersede)
        files = write_csv_outputs_task(conn, year, run_id, score_run_id, Path(out))
    return Publication(run_id, score_run_id, previous, files)
