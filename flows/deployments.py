"""Entry points of the prefect.yaml deployments (SPEC section 10).

Each deployment flow takes one strict parameter model (flows/parameters.py), resolves a relative year
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
    AnnualParameters,
    CollectParameters,
    PublishParameters,
    ValidateParameters,
    WarehouseParameters,
    resolve_year,
    with_year,
)

LOCK_POLL_SECONDS = 15.0


def warehouse_path(params: WarehouseParameters) -> Path:
    """The warehouse file: the `db` parameter, else the worker's UNIONFLOW_DB or ./unionflow.duckdb."""
    from flows.settings import default_db

    return Path(params.db) if params.db else default_db()


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
def collect_deployment(params: CollectParameters) -> list[Any]:
    """Scheduled collection: land, validate and load the year's records from the source."""
    from flows.collect import collect

    year = resolve_year(params.year)
    source = with_year(params.source, year)
    db = warehouse_path(params)
    get_run_logger().info("collecting %s from %s into %s", year, source, db)
    _preflight_source(source)
    wait_for_warehouse(db, params.lock_wait_seconds)
    return collect(year=year, source=source, db=str(db), deadline=params.deadline)


@flow(name="unionflow-validate", on_failure=[notify_failure], on_crashed=[notify_failure])
def validate_deployment(params: ValidateParameters) -> Any:
    """Scheduled validation of what was collected, with the Data Docs site."""
    # Imported at run time: flows.validate is a separate module, and deploying must not depend on it.
    from flows.validate import validate  # type: ignore[import-not-found,unused-ignore]

    year = resolve_year(params.year)
    db = warehouse_path(params)
    docs = with_year(params.docs, year) if params.docs else None
    get_run_logger().info("validating %s in %s", year, db)
    wait_for_warehouse(db, params.lock_wait_seconds)
    return validate(year=year, db=str(db), docs=docs)


@flow(name="unionflow-annual-assessment", on_failure=[notify_failure], on_crashed=[notify_failure])
def annual_deployment(params: AnnualParameters) -> Any:
    """The yearly run (20 January for the previous year): collect, validate, score, allocate, publish."""
    from flows.annual import annual_assessment
    from unionflow.assessment import resolve_config

    year = resolve_year(params.year)
    source, out = with_year(params.source, year), with_year(params.out, year)
    db = warehouse_path(params)
    get_run_logger().info("annual assessment %s from %s into %s (warehouse %s)", year, source, out, db)
    # The same checks as `unionflow run`: a bad budget or config fails now, not after collection.
    if params.config is not None and not Path(params.config).is_file():
        raise FileNotFoundError(f"config file {params.config} does not exist")
    resolve_config(params.config, budget=params.budget, floor=params.floor, cap=params.cap, step=params.step)
    _preflight_source(source)
    wait_for_warehouse(db, params.lock_wait_seconds)
    return annual_assessment(
        year=year,
        source=source,
        out=out,
        db=str(db),
        config=params.config,
        budget=params.budget,
        floor=params.floor,
        cap=params.cap,
        step=params.step,
        supersede=params.supersede,
    )


@flow(name="unionflow-publish", on_failure=[notify_failure], on_crashed=[notify_failure])
def publish_deployment(params: PublishParameters) -> Any:
    """Manual publication of the year's latest allocation run."""
    from flows.publish import publish

    db = warehouse_path(params)
    out = with_year(params.out, params.year)
    get_run_logger().info("publishing %s into %s (warehouse %s)", params.year, out, db)
    wait_for_warehouse(db, params.lock_wait_seconds)
    return publish(year=params.year, out=out, db=str(db), supersede=params.supersede)


DEPLOYMENT_FLOWS = {
    "collect": collect_deployment,
    "validate": validate_deployment,
    "annual-assessment": annual_deployment,
    "publish": publish_deployment,
}
