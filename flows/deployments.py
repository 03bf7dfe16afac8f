"""Entry points of the prefect.yaml deployments (SPEC section 10).

Each deployment flow takes flat, strictly typed parameters (flows/parameters.py), resolves a relative year
in Asia/Shanghai, checks its inputs the way the CLI's preflight does (so a bad config or a missing
folder fails the run at once, before anything is written), waits for the warehouse if a CLI command
holds it, then calls the existing flow as a subflow. Failures and crashes send an alert
(flows/alerts.py).

The flows are named `unionflow-…` rather than after the flows they wrap, so that the deployment
flow and its subflow (e.g. `annual-assessment`) are never confused in the UI.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from flows.alerts import notify_failure
from flows.parameters import (
    LOCK_WAIT_SECONDS,
    Amount,
    AnnualYear,
    Config,
    Db,
    Deadline,
    Docs,
    LockWait,
    Out,
    Source,
    Supersede,
    Year,
    YearSpec,
    resolve_year,
    with_year,
)

LOCK_POLL_SECONDS = 15.0


def warehouse_path(db: str | None) -> Path:
    """The warehouse file: the `db` parameter, else the worker's UNIONFLOW_DB or ./unionflow.duckdb."""
    from flows.settings import default_db

    return Path(db) if db else default_db()


def wait_for_warehouse(db: Path, timeout_seconds: float, poll_seconds: float = LOCK_POLL_SECONDS) -> None:
    """Return once `db` can be opened for writing; `WarehouseLocked` after `timeout_seconds`.

    Prefect's concurrency limits keep deployment runs apart, but a CLI command started by hand can
    still hold the DuckDB lock; a scheduled run then waits a while instead of failing at once.
    """
    from warehouse.connection import WarehouseLocked, connect

    deadline = time.monotonic() + timeout_seconds
    warned = False
    while True:
        try:
            connect(db).close()
            return
        except WarehouseLocked:
            if time.monotonic() >= deadline:
                raise
            if not warned:
                get_run_logger().warning(
                    "warehouse %s is locked by another process; waiting up to %d s", db, timeout_seconds
                )
                warned = True
            time.sleep(min(poll_seconds, max(deadline - time.monotonic(), 0.1)))


def _preflight_source(source: str) -> None:
    from flows.preflight import check_source

    check_source(source)


@flow(name="unionflow-collect", on_failure=[notify_failure], on_crashed=[notify_failure])
def collect_deployment(
    year: YearSpec,
    source: Source,
    db: Db = None,
    lock_wait_seconds: LockWait = LOCK_WAIT_SECONDS,
    deadline: Deadline = None,
) -> list[Any]:
    """Scheduled collection: land, validate and load the year's records from the source."""
    from flows.collect import collect

    resolved = resolve_year(year)
    where = with_year(source, resolved)
    warehouse = warehouse_path(db)
    get_run_logger().info("collecting %s from %s into %s", resolved, where, warehouse)
    _preflight_source(where)
    wait_for_warehouse(warehouse, lock_wait_seconds)
    return collect(year=resolved, source=where, db=str(warehouse), deadline=deadline)


@flow(name="unionflow-validate", on_failure=[notify_failure], on_crashed=[notify_failure])
def validate_deployment(
    year: YearSpec, db: Db = None, lock_wait_seconds: LockWait = LOCK_WAIT_SECONDS, docs: Docs = None
) -> Any:
    """Scheduled validation of what was collected, with the Data Docs site."""
    # Imported at run time: flows.validate is a separate module, and deploying must not depend on it.
    from flows.validate import validate  # type: ignore[import-not-found,unused-ignore]

    resolved = resolve_year(year)
    warehouse = warehouse_path(db)
    folder = with_year(docs, resolved) if docs else None
    get_run_logger().info("validating %s in %s", resolved, warehouse)
    wait_for_warehouse(warehouse, lock_wait_seconds)
    return validate(year=resolved, db=str(warehouse), docs=folder)


@flow(name="unionflow-annual-assessment", on_failure=[notify_failure], on_crashed=[notify_failure])
def annual_deployment(
    year: AnnualYear,
    source: Source,
    out: Out,
    db: Db = None,
    lock_wait_seconds: LockWait = LOCK_WAIT_SECONDS,
    config: Config = None,
    budget: Amount | None = None,
    floor: Amount | None = None,
    cap: Amount | None = None,
    step: Amount | None = None,
    supersede: Supersede = None,
) -> Any:
    """The yearly run (20 January for the previous year): collect, validate, score, allocate, publish."""
    from flows.annual import annual_assessment
    from unionflow.assessment import resolve_config

    resolved = resolve_year(year)
    where, folder = with_year(source, resolved), with_year(out, resolved)
    warehouse = warehouse_path(db)
    get_run_logger().info(
        "annual assessment %s from %s into %s (warehouse %s)", resolved, where, folder, warehouse
    )
    # The same checks as `unionflow run`: a bad budget or config fails now, not after collection.
    if config is not None and not Path(config).is_file():
        raise FileNotFoundError(f"config file {config} does not exist")
    resolve_config(config, budget=budget, floor=floor, cap=cap, step=step)
    _preflight_source(where)
    wait_for_warehouse(warehouse, lock_wait_seconds)
    return annual_assessment(
        year=resolved,
        source=where,
        out=folder,
        db=str(warehouse),
        config=config,
        budget=budget,
        floor=floor,
        cap=cap,
        step=step,
        supersede=supersede,
    )


@flow(name="unionflow-publish", on_failure=[notify_failure], on_crashed=[notify_failure])
def publish_deployment(
    year: Year,
    out: Out,
    db: Db = None,
    lock_wait_seconds: LockWait = LOCK_WAIT_SECONDS,
    supersede: Supersede = None,
) -> Any:
    """Manual publication of the year's latest allocation run (a fixed year, never a relative one)."""
    from flows.publish import publish

    warehouse = warehouse_path(db)
    folder = with_year(out, year)
    get_run_logger().info("publishing %s into %s (warehouse %s)", year, folder, warehouse)
    wait_for_warehouse(warehouse, lock_wait_seconds)
    return publish(year=year, out=folder, db=str(warehouse), supersede=supersede)


@flow(name="unionflow-rescore", on_failure=[notify_failure], on_crashed=[notify_failure])
def rescore_deployment(
    year: Year, db: Db = None, lock_wait_seconds: LockWait = LOCK_WAIT_SECONDS, config: Config = None
) -> Any:
    """After a steward's decision (the deployment's trigger, flows/events.py): re-score the year
    and re-allocate it as a draft; never publishes."""
    from flows.rescore import rescore

    warehouse = warehouse_path(db)
    get_run_logger().info("re-scoring %s after a steward's decision (warehouse %s)", year, warehouse)
    if config is not None and not Path(config).is_file():
        raise FileNotFoundError(f"config file {config} does not exist")
    wait_for_warehouse(warehouse, lock_wait_seconds)
    return rescore(year=year, db=str(warehouse), config=config)


DEPLOYMENT_FLOWS = {
    "collect": collect_deployment,
    "validate": validate_deployment,
    "annual-assessment": annual_deployment,
    "publish": publish_deployment,
    "rescore": rescore_deployment,
}
