"""Benchmark stages, each run in a child process: `python -m unionflow.bench.stages STAGE WORKDIR UNITS`.

Each stage prints JSON rows {stage, seconds, records, floor_seconds}: its own wall time and, where
one exists, the time of the plain DuckDB scan or aggregate doing the same work on the same data
(the "floor"), so the overhead of contracts, Prefect and pandas is visible.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from warehouse.sql import statement

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

YEAR = 2025
Row = dict[str, Any]


@contextmanager
def timed(rows: list[Row], stage: str, records: int = 0) -> Iterator[Row]:
    row: Row = {"stage": stage, "records": records, "floor_seconds": None}
    started = time.perf_counter()
    yield row
    row["seconds"] = time.perf_counter() - started
    rows.append(row)


def floor(conn: Any, sql: str, params: dict[str, Any] | None = None) -> float:
    """Wall time of one plain DuckDB statement (its result drained)."""
    started = time.perf_counter()
    conn.sql(sql, params=params).fetchall()
    return time.perf_counter() - started


def paths(work: Path, units: int) -> tuple[Path, Path]:
    return work / f"source-{units}", work / f"w-{units}.duckdb"


def synthesise(work: Path, units: int) -> list[Row]:
    from unionflow.synth import synthesize

    source, _ = paths(work, units)
    rows: list[Row] = []
    with timed(rows, "synthesise") as row:
        manifest = synthesize(source, units=units, year=YEAR, seed=20231)
        row["records"] = sum(
            int(manifest.data["counts"][k]["received"]) for k in ("units", "submissions", "reviews")
        )
    return rows


def empty_flow(work: Path, units: int) -> list[Row]:
    from prefect import flow

    @flow(name="empty")
    def empty() -> None:
        return None

    rows: list[Row] = []
    with timed(rows, "empty Prefect flow"):
        empty()
    return rows


def collect_folder(work: Path, units: int) -> list[Row]:
    """Read and land the folder (collect), then contracts, then load, timed apart."""
    import duckdb

    from tasks.collect import _check_in_partitions, default_deadline, land_from_folder
    from unionflow.sources.payloads import RECORD_KINDS
    from warehouse import records
    from warehouse.collections import start_collection
    from warehouse.connection import open_warehouse

    source, db = paths(work, units)
    db.unlink(missing_ok=True)
    rows: list[Row] = []
    with open_warehouse(db) as conn:
        collection = start_collection(conn, YEAR, str(source))
        with timed(rows, "collect from folder (read + land)") as row:
            for kind in RECORD_KINDS:
                scope = None if kind == "unit" else YEAR
                row["records"] += land_from_folder.fn(conn, source, kind, scope, collection).received
        scratch = duckdb.connect()
        row["floor_seconds"] = floor(
            scratch,
            statement("bench_floor_read_sources"),
            {"reviews": f"{source}/reviews.csv", "submissions": f"{source}/submissions/*.jsonl"},
        )
        rows.append(strict_reading(source, rows[-1]["seconds"]))
        verdicts = {}
        with timed(rows, "validate with contracts") as row:
            from expectations.contracts import Registry, YearContext
            from warehouse.stewardship import waivers

            for kind in RECORD_KINDS:
                scope = None if kind == "unit" else YEAR
                context = YearContext(
                    year=YEAR,
                    deadline=default_deadline(YEAR),
                    registry=Registry(records.registry(conn)),
                    waivers=waivers(conn, kind, scope),
                )
                verdict = _check_in_partitions(conn, kind, scope, context, None)
                verdicts[kind] = verdict
                row["records"] += len(verdict.status)
                if kind == "unit":  # the registry must be loaded before the others are checked
                    records.replace_units(conn, verdict.records)
        row["floor_seconds"] = floor(
            conn,
            statement("bench_floor_parse_payloads"),
        )
        with timed(rows, "load") as row:
            records.replace_submissions(conn, YEAR, verdicts["submission"].records)
            records.replace_reviews(conn, YEAR, verdicts["review"].records)
            for kind, verdict in verdicts.items():
                records.replace_quarantine(conn, kind, None if kind == "unit" else YEAR, verdict.quarantine)
            row["records"] = sum(len(v.records) for v in verdicts.values())
        row["floor_seconds"] = floor(conn, statement("bench_floor_copy_reviews"))
    return rows


def _lenient_read(path: Path, ref: str) -> int:
    """The reader before strict reading (issue 14), for the same files: one encoding pass, then rows
    (or JSON lines) with their source refs in chunks, with no per-line encoding, quote-runaway or
    header checks and no receipt (size, SHA-256)."""
    import codecs
    import csv
    from itertools import islice

    import orjson

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    encoding = "utf-8-sig"
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 22):
                decoder.decode(block)
        except UnicodeDecodeError:
            encoding = "gb18030"
    count = 0
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        if path.suffix == ".jsonl":
            lines: list[tuple[str, str]] = []
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        payload = orjson.dumps(orjson.loads(line)).decode()
                    except orjson.JSONDecodeError:
                        payload = line
                    lines.append((f"{ref}#line={number}", payload))
            return len(lines)
        reader = csv.reader(handle)
        header = next(reader, [])
        first = 2
        while rows := list(islice(reader, 50_000)):
            kept = [(n, row) for n, row in enumerate(rows, start=first) if "".join(row).strip()]
            payloads = [orjson.dumps(dict(zip(header, row, strict=False))).decode() for _, row in kept]
            refs = [f"{ref}#row={n}" for n, _ in kept]
            count += len(list(zip(refs, payloads, strict=True)))
            first += len(rows)
    return count


def strict_reading(source: Path, collect_seconds: float) -> Row:
    """The extra cost of strict reading: reading the folder's CSV and JSON Lines files as collect
    does minus reading them as the lenient reader did before issue 14 (XLSX and JSON files are
    left out of both), as a share of the collect stage's time (docs/capacity.md: at most 10 %).
    Each is timed three times, alternately, and the fastest counts: the machine is shared."""
    from expectations.fields import header_names
    from unionflow.sources.folder import iter_file_chunks, kind_files
    from unionflow.sources.payloads import RECORD_KINDS

    files = [(kind, path) for kind in RECORD_KINDS for path in kind_files(source, kind)]
    files = [(kind, path) for kind, path in files if path.suffix in (".csv", ".jsonl")]
    strict = lenient = float("inf")
    records = 0
    # Both readers with the cycle collector off (the strict one pauses it per chunk, as the lenient
    # one did), so neither pays for the other's garbage.
    gc.disable()
    for _ in range(3):
        gc.collect()
        started = time.perf_counter()
        records = sum(
            len(chunk)
            for kind, path in files
            for chunk in iter_file_chunks(source, path, kind, header_names(kind))
        )
        strict = min(strict, time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        for _, path in files:
            _lenient_read(path, path.relative_to(source).as_posix())
        lenient = min(lenient, time.perf_counter() - started)
    gc.enable()
    share = (strict - lenient) / collect_seconds if collect_seconds else 0.0
    # The lenient reader is this row's floor: the ratio column is strict ÷ lenient.
    return {
        "stage": f"strict file reading (extra cost {share:+.1%} of collect)",
        "records": records,
        "seconds": strict,
        "floor_seconds": lenient,
    }


def collect_http(work: Path, units: int) -> list[Row]:
    from unionflow.bench.portal import http_collection_throughput

    source, _ = paths(work, units)
    rows: list[Row] = []
    with timed(rows, "collect over HTTP (land + contracts + load)") as row:
        result = http_collection_throughput(source, work / f"h-{units}.duckdb", YEAR)
        row["records"] = int(result.get("records", 0))
    return rows


def gx_suites(work: Path, units: int) -> list[Row]:
    from tasks.validate import validate_stage
    from warehouse.connection import open_warehouse

    _, db = paths(work, units)
    rows: list[Row] = []
    with timed(rows, "GX suites (records + Data Docs)") as row:
        row["records"] = validate_stage(str(db))
    with open_warehouse(db) as conn:
        row["floor_seconds"] = floor(
            conn,
            statement("bench_floor_submission_aggregates"),
        )
    return rows


def _with_conn(
    work: Path, units: int, stage: str, body: Callable[[Any], int], floor_sql: str | None
) -> list[Row]:
    from warehouse.connection import open_warehouse

    _, db = paths(work, units)
    rows: list[Row] = []
    with open_warehouse(db) as conn:
        with timed(rows, stage) as row:
            row["records"] = body(conn)
        if floor_sql:
            row["floor_seconds"] = floor(conn, floor_sql)
    return rows


def score(work: Path, units: int) -> list[Row]:
    from tasks.score import score_year_task
    from unionflow.assessment import load_config

    def body(conn: Any) -> int:
        outcome = score_year_task.fn(conn, YEAR, load_config())
        return outcome.units

    return _with_conn(
        work,
        units,
        "score",
        body,
        statement("bench_floor_review_means"),
    )


def assign(work: Path, units: int) -> list[Row]:
    from tasks.assign import assign_task
    from unionflow.assessment.assignment import AssignmentRules

    def body(conn: Any) -> int:
        # force: the bench's scratch warehouse already holds the year's reviews, and what is
        # measured is the assignment itself, not the refusal that protects a real year.
        return len(assign_task.fn(conn, YEAR, AssignmentRules(5), YEAR, force=True).pairs)

    return _with_conn(work, units, "assign (K = 5)", body, None)


def allocate(work: Path, units: int) -> list[Row]:
    from tasks.allocate import allocate_year_task
    from unionflow.assessment import load_config

    def body(conn: Any) -> int:
        allocate_year_task.fn(conn, YEAR, load_config())
        return units

    return _with_conn(work, units, "allocate", body, statement("bench_floor_rank_scores"))


def publish(work: Path, units: int) -> list[Row]:
    from tasks.publish import publish_run_task
    from tasks.reports import write_outputs_task

    out = work / f"out-{units}"

    def body(conn: Any) -> int:
        run_id, score_run_id, _ = publish_run_task.fn(conn, YEAR, "bench")
        write_outputs_task.fn(conn, YEAR, run_id, score_run_id, out)
        return units

    rows = _with_conn(work, units, "publish (CSV, HTML, XLSX)", body, None)
    from warehouse.connection import open_warehouse

    with open_warehouse(paths(work, units)[1]) as conn:
        started = time.perf_counter()
        conn.sql(statement("bench_floor_all_scores")).to_csv(str(work / "floor-scores.csv"))
        rows[-1]["floor_seconds"] = time.perf_counter() - started
    return rows


def copies(work: Path, units: int) -> list[Row]:
    """The warehouse copies a real `unionflow run` makes: two read snapshots and two backups."""
    from warehouse.backup import backup
    from warehouse.snapshot import refresh_snapshot

    _, db = paths(work, units)

    def body(conn: Any) -> int:
        for moment in ("before", "after"):
            refresh_snapshot(conn, db)
            backup(conn, db, YEAR, 0, moment, root=work / f"backups-{units}")
        return units

    return _with_conn(work, units, "warehouse copies (2 snapshots, 2 backups)", body, None)


STAGES: dict[str, Callable[[Path, int], list[Row]]] = {
    "synthesise": synthesise,
    "empty_flow": empty_flow,
    "collect_folder": collect_folder,
    "collect_http": collect_http,
    "gx": gx_suites,
    "score": score,
    "assign": assign,
    "allocate": allocate,
    "publish": publish,
    "copies": copies,
}


def main() -> None:
    stage, work, units = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(STAGES[stage](work, units)))


if __name__ == "__main__":
    main()
