"""Throughput of HTTP collection: reference portal -> `land_from_portal` -> validation -> warehouse."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from unionflow.portal.server import serve_in_background


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def http_collection_throughput(folder: Path, db: Path, year: int, page_size: int = 5000) -> dict[str, Any]:
    """Serve `folder` from the reference portal and collect it over HTTP into a fresh warehouse `db`.

    Runs the collect flow's steps without a Prefect server (the task functions themselves): landing
    every page verbatim, then validating and loading each kind. Returns record counts, seconds per
    phase and records per second end to end (portal start-up excluded, it is not collection).
    """
    from tasks.collect import default_deadline, validate_and_load
    from tasks.portal import land_from_portal
    from warehouse.collections import finish_collection, start_collection
    from warehouse.connection import open_warehouse

    db = Path(db)
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)  # a throwaway token for this run only
    with (
        serve_in_background(Path(folder), token) as url,
        _environment(UNIONFLOW_PORTAL_TOKEN=token, UNIONFLOW_PORTAL_PAGE_SIZE=str(page_size)),
        open_warehouse(db) as conn,
    ):
        started = time.perf_counter()
        collection_id = start_collection(conn, year, url)
        landings = land_from_portal.fn(conn, url, year, collection_id)
        landed = time.perf_counter()
        results = [
            validate_and_load(conn, kind, year, collection_id, landing, default_deadline(year))
            for kind, landing in landings.items()
        ]
        finish_collection(conn, collection_id, "completed")
        finished = time.perf_counter()
    records = sum(landing.received for landing in landings.values())
    seconds = finished - started
    return {
        "records": records,
        "by_kind": {kind: landing.received for kind, landing in landings.items()},
        "page_size": page_size,
        "landing_seconds": round(landed - started, 2),
        "validation_seconds": round(finished - landed, 2),
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds) if seconds else None,
        "landing_records_per_s": round(records / (landed - started)) if landed > started else None,
        "balanced": all(result.balanced for result in results),
    }


if __name__ == "__main__":
    import sys

    print(http_collection_throughput(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
