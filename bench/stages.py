"""One benchmark stage, run in a child process: `python -m bench.stages STAGE ARGS...`.

Prints one JSON line with the stage's own wall time and record count.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def synthesise(out: str, units: str) -> int:
    from synth import synthesize

    manifest = synthesize(Path(out), units=int(units), year=2025, seed=20231)
    counts = manifest.data["counts"]
    return sum(int(counts[kind]["received"]) for kind in ("units", "submissions", "reviews"))


def empty_flow() -> int:
    from prefect import flow

    @flow(name="empty")
    def empty() -> None:
        return None

    empty()
    return 0


def collect(source: str, db: str) -> int:
    from flows.collect import collect as collect_flow

    return sum(r.received for r in collect_flow(year=2025, source=source, db=db))


def score_allocate(db: str) -> int:
    from assessment import load_config
    from tasks.allocate import allocate_year_task
    from tasks.score import score_year_task
    from warehouse.connection import open_warehouse

    cfg = load_config()
    with open_warehouse(db) as conn:
        outcome = score_year_task.fn(conn, 2025, cfg)
        allocate_year_task.fn(conn, 2025, cfg)
        reviews = conn.sql(
            "select count(*) from reviews where year = 2025 and status = 'accepted'"
        ).fetchall()
    return outcome.units + int(reviews[0][0])


def http_collect(source: str, db: str) -> int:
    from portal.bench import http_collection_throughput

    result = http_collection_throughput(Path(source), Path(db), 2025)
    return int(result.get("records", 0))


STAGES: dict[str, Callable[..., int]] = {
    "synthesise": synthesise,
    "empty_flow": empty_flow,
    "collect": collect,
    "score_allocate": score_allocate,
    "http_collect": http_collect,
}


def main() -> None:
    stage, *args = sys.argv[1:]
    started = time.perf_counter()
    records = STAGES[stage](*args)
    print(json.dumps({"stage": stage, "seconds": time.perf_counter() - started, "records": records}))


if __name__ == "__main__":
    main()
