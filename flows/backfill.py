"""Backfill: run the annual assessment for a range of past years, oldest first.

Sources per year (`year_sources`):
- a portal URL (`http(s)://…`): the same portal for every year (it is queried with `year=Y`);
- a path containing `{year}`: that path with the year filled in (`/data/inbox/{year}`);
- any other folder: the root of one sub-folder per year, `DIR/2021`, `DIR/2022`, ….

Outputs go to `<out>/<year>/` (or `out` with `{year}` filled in). All year folders are checked before
the first year starts, so a missing year fails the backfill at once instead of half-way. Years run
in order and the backfill stops at the first failing year: the years before it stay published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger

from flows.alerts import notify_failure
from flows.parameters import with_year
from unionflow.sources.location import is_portal
from unionflow.sources.payloads import SourceError


@dataclass(frozen=True)
class YearPlan:
    """Where one backfilled year comes from and goes to."""

    year: int
    source: str
    out: str


@dataclass(frozen=True)
class BackfilledYear:
    """What one year of a backfill published."""

    year: int
    allocation_run_id: int
    files: list[Path]


def year_sources(from_year: int, to_year: int, source: str, out: str) -> list[YearPlan]:
    """The plan of a backfill: one (year, source, out) per year, checked before anything runs."""
    if from_year > to_year:
        raise SourceError(f"--from {from_year} is after --to {to_year}")
    plans = []
    for year in range(from_year, to_year + 1):
        if is_portal(source) or "{year}" in source:
            year_source = with_year(source, year)
        else:
            year_source = str(Path(source) / str(year))
        year_out = with_year(out, year) if "{year}" in out else str(Path(out) / str(year))
        plans.append(YearPlan(year, year_source, year_out))
    missing = [plan.source for plan in plans if not is_portal(plan.source) and not Path(plan.source).is_dir()]
    if missing:
        raise SourceError(
            f"backfill source folders missing: {', '.join(missing)} "
            "(expected one sub-folder per year, e.g. SOURCE/2021)"
        )
    return plans


@flow(name="backfill", on_failure=[notify_failure], on_crashed=[notify_failure])
def backfill(
    from_year: int,
    to_year: int,
    source: str,
    out: str,
    db: str = "unionflow.duckdb",
    config: str | None = None,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
    supersede: str | None = None,
) -> list[BackfilledYear]:
    """Run `annual-assessment` for every year from `from_year` to `to_year`, in order.

    A year whose allocation is already published with the same inputs is a no-op (re-running a
    backfill is safe); a year published with different results needs `supersede`.
    """
    from flows.annual import annual_assessment

    logger = get_run_logger()
    done = []
    for plan in year_sources(from_year, to_year, source, out):
        logger.info("backfill %s from %s into %s", plan.year, plan.source, plan.out)
        outcome = annual_assessment(
            year=plan.year,
            source=plan.source,
            out=plan.out,
            db=db,
            config=config,
            budget=budget,
            floor=floor,
            cap=cap,
            step=step,
            supersede=supersede,
        )
        publication = outcome.publication
        done.append(BackfilledYear(plan.year, publication.allocation_run_id, list(publication.files)))
    return done
