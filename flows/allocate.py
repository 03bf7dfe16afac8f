"""The `allocate` flow: split the subsidy budget from a year's latest scores (a draft run)."""

from __future__ import annotations

from prefect import flow

from tasks.allocate import AllocationOutcome, allocate_year_task
from unionflow.assessment import resolve_config
from warehouse.connection import open_warehouse


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
