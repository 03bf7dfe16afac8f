"""The annual assessment: collect, validate, load, score, allocate and publish one year."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import flow

from flows.assessment import allocate, publish, score
from flows.collect import collect
from tasks.allocate import AllocationOutcome
from tasks.publish import Publication
from tasks.score import ScoreOutcome
from warehouse.collections import Reconciliation


@dataclass(frozen=True)
class AnnualOutcome:
    """Everything one annual run produced."""

    reconciliations: list[Reconciliation]
    score: ScoreOutcome
    allocation: AllocationOutcome
    publication: Publication


@flow(name="annual-assessment")
def annual_assessment(
    year: int,
    source: str,
    out: str,
    db: str = "unionflow.duckdb",
    config: str | None = None,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
    supersede: str | None = None,
) -> AnnualOutcome:
    """Run the whole cycle for `year` from `source` (folder or portal URL) into `out`."""
    reconciliations = collect(year=year, source=source, db=db)
    scored = score(year=year, db=db, config=config)
    allocated = allocate(year=year, db=db, config=config, budget=budget, floor=floor, cap=cap, step=step)
    published = publish(year=year, out=out, db=db, supersede=supersede)
    return AnnualOutcome(reconciliations, scored, allocated, published)
