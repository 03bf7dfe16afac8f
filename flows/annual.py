"""The annual assessment: collect, validate, load, score, allocate and publish one year."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from pathlib import Path

from prefect import flow

from flows.allocate import allocate
from flows.collect import collect
from flows.publish import publish
from flows.runners import task_runner
from flows.score import score
from flows.validate import validate
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


def warm_up_validation() -> None:
    """Import Great Expectations in the background while collection runs.

    Its import costs about 4.5 s of the annual run; collection mostly waits on DuckDB and I/O,
    so the import overlaps it instead of stalling validation. Harmless if validation imports first.
    """
    threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()


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
    partitions: int | None = None,
    runner: str = "default",
    dask_address: str | None = None,
    lang: str = "en",
    publish_to: str | None = None,
) -> AnnualOutcome:
    """Run the whole cycle for `year` from `source` (folder or portal URL) into `out`.

    `runner` = "dask" runs the partitioned validation on a Dask cluster (`dask_address`, or a
    local cluster when none is given); the outputs are identical whatever the runner.
    """
    warm_up_validation()
    collecting = collect.with_options(task_runner=task_runner(runner, dask_address))
    reconciliations = collecting(year=year, source=source, db=db, partitions=partitions)
    checked = validate(year=year, db=db, docs=str(Path(out) / "validation"))
    scored = score(year=year, db=db, config=config)
    allocated = allocate(year=year, db=db, config=config, budget=budget, floor=floor, cap=cap, step=step)
    published = publish(
        year=year, out=out, db=db, supersede=supersede, lang=lang, to=publish_to, records_validation=checked
    )
    return AnnualOutcome(reconciliations, scored, allocated, published)
