"""Allocating the subsidy budget of a year from its latest scores (a draft run)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from unionflow.assessment import AssessmentConfig, allocate, config_hash
from unionflow.assessment.allocation import LeftoverReason
from unionflow.assessment.fingerprints import frames_hash
from warehouse import allocation_runs, score_runs
from warehouse.missing import not_scored, nothing_to_allocate


@dataclass(frozen=True)
class AllocationOutcome:
    """The draft allocation run of a year and its totals in CNY."""

    allocation_run_id: int
    reused: bool
    budget: int
    allocated: int
    unallocated: int
    funded: int
    #: why more than one step stays unallocated (None when at most one step does)
    unallocated_reason: LeftoverReason | None = None


@task(cache_policy=NO_CACHE)
def allocate_year_task(
    conn: duckdb.DuckDBPyConnection, year: int, cfg: AssessmentConfig
) -> AllocationOutcome:
    """Split the budget over the latest score run of `year` (SPEC section 8) as a draft run."""
    latest = score_runs.latest_score_run(conn, year)
    if latest is None:
        raise not_scored(year)
    score_run_id = latest.score_run_id
    scores = score_runs.scores_of(conn, score_run_id)
    if not scores["total"].notna().any():
        raise nothing_to_allocate(year, score_run_id)
    input_hash = frames_hash({"scores": scores[["unit_id", "total", "grade"]]})
    config = config_hash(cfg)
    existing = allocation_runs.find_allocation_run(conn, year, score_run_id, config, input_hash)
    # Pure and cheap: computed for a reused run too, so its summary explains the remainder as well.
    result = allocate(scores[["unit_id", "total", "grade"]], cfg)
    if existing is not None:
        run = allocation_runs.existing_allocation_run(conn, existing)
        rows = allocation_runs.allocations_of(conn, existing)
        return AllocationOutcome(
            existing,
            True,
            run.budget,
            run.allocated,
            run.unallocated,
            int((rows["reason"] == "funded").sum()),
            result.unallocated_reason,
        )
    names = scores.set_index("unit_id")["name"]
    allocations = result.allocations.assign(name=result.allocations["unit_id"].map(names))
    a = cfg.allocation
    run_id = allocation_runs.save_allocation_run(
        conn,
        year=year,
        score_run_id=score_run_id,
        method=a.method,
        budget=a.budget,
        floor=a.floor,
        cap=a.cap,
        step=a.step,
        allocated=result.allocated,
        config_hash=config,
        input_hash=input_hash,
        allocations=allocations,
        leftover=None
        if result.unallocated_reason is None
        else (result.unallocated_reason.code, result.unallocated_reason.params),
    )
    funded = int((allocations["reason"] == "funded").sum())
    return AllocationOutcome(
        run_id, False, result.budget, result.allocated, result.unallocated, funded, result.unallocated_reason
    )
