"""`make bench`'s same-work table (issue 20): each stage beside plain DuckDB doing the same work.

    python -m unionflow.bench.same_work [--units N] [--rounds R] [--quick]

The unit count defaults to $UNIONFLOW_BENCH_UNITS or 100,000; `--quick` is 300 units and one
round (for trying the table, not for figures). Each stage and its floor run in this one process,
alternately, R times on the same data; the table shows min / median seconds of each and the ratio
of the minima. Figures are printed, never asserted: `tests/test_bench_floors.py` checks that each
floor does the same work (same quarantine, rows, scores and CSV bytes), not how fast.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from unionflow.bench import floor_work

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

YEAR = 2025
UNITS_VARIABLE = "UNIONFLOW_BENCH_UNITS"
DEFAULT_UNITS = 100_000


@dataclass
class Pair:
    """One stage: unionflow's and the floor's wall seconds per round."""

    stage: str
    mine: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return min(self.mine) / min(self.floor) if self.mine and self.floor else None


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def timed_round(work: Callable[[int], Any], number: int) -> float:
    started = time.perf_counter()
    work(number)
    return time.perf_counter() - started


@dataclass(frozen=True)
class Year:
    """A synthetic year collected, checked, scored, allocated and published by unionflow."""

    source: Path
    db: Path
    allocation_run_id: int
    score_run_id: int


def land(source: Path, db: Path) -> int:
    """unionflow's collect (read + land) of the folder into a new warehouse; payloads received."""
    from tasks.collect import land_from_folder
    from unionflow.sources.payloads import RECORD_KINDS
    from warehouse.collections import start_collection
    from warehouse.connection import open_warehouse

    db.unlink(missing_ok=True)
    with open_warehouse(db) as conn:
        collection = start_collection(conn, YEAR, str(source))
        return sum(
            land_from_folder.fn(conn, source, kind, None if kind == "unit" else YEAR, collection).received
            for kind in RECORD_KINDS
        )


def check_contracts(conn: Any) -> None:
    """unionflow's contracts of the year's submissions and reviews, with their tables written."""
    from tasks.collect import default_deadline, validate_kind

    for kind in ("submission", "review"):
        validate_kind(conn, kind, YEAR, default_deadline(YEAR))


def score_now(conn: Any) -> int:
    """unionflow's scoring as `score_year_task` does it, without reusing an identical earlier run
    (every round must do the work): inputs and hash, review flags, scores, the run stored."""
    from tasks.score import calibration_comparison
    from unionflow.assessment import config_hash, load_config, review_flags, score_year, unit_flags
    from warehouse import inputs, score_runs

    cfg = load_config()
    data = inputs.score_inputs(conn, YEAR)
    flags = review_flags(data.reviews, cfg)
    scores = score_year(data.units, data.submissions, data.reviews, cfg, extra_flags=unit_flags(flags))
    calibration_comparison(data.units, data.submissions, data.reviews, cfg, scores)
    return score_runs.save_score_run(
        conn, year=YEAR, peer_method=cfg.peer.method, config_hash=config_hash(cfg),
        input_hash=data.input_hash, scores=scores, flags=flags,
    )  # fmt: skip


def build_year(work: Path, units: int) -> Year:
    """Synthesise a year and take it through collect, contracts, scoring, allocation and publish."""
    from tasks.allocate import allocate_year_task
    from tasks.collect import validate_kind
    from tasks.publish import publish_run_task
    from unionflow.assessment import load_config
    from unionflow.synth import synthesize
    from warehouse.connection import open_warehouse

    source, db = work / "source", work / "warehouse.duckdb"
    synthesize(source, units=units, year=YEAR, seed=20231)
    land(source, db)
    with open_warehouse(db) as conn:
        validate_kind(conn, "unit", None, None)
        check_contracts(conn)
        score_now(conn)
        allocate_year_task.fn(conn, YEAR, load_config())
        allocation_run_id, score_run_id, _ = publish_run_task.fn(conn, YEAR, "bench")
    return Year(source, db, allocation_run_id, score_run_id)


def _alternate(pair: Pair, rounds: int, mine: Callable[[int], Any], floor: Callable[[int], Any]) -> Pair:
    for number in range(rounds):
        pair.mine.append(timed_round(mine, number))
        pair.floor.append(timed_round(floor, number))
    # As it goes, so that a long run that fails late still leaves its figures.
    print(f"  {pair.stage}: {_seconds(pair.mine)} s against {_seconds(pair.floor)} s", flush=True)
    return pair


def measure(year: Year, work: Path, rounds: int) -> list[Pair]:
    """Every stage and its floor, alternately, `rounds` times each."""
    import duckdb

    from tasks.collect import default_deadline
    from tasks.validate import _run_stage, records_frames
    from warehouse.connection import open_warehouse

    files = floor_work.SourceFiles.of(year.source)

    def floor_collect(number: int) -> None:
        with duckdb.connect(str(work / f"floor-collect-{number}.duckdb")) as scratch:
            floor_work.prepare(scratch)
            floor_work.collect(scratch, files)

    pairs = [
        _alternate(
            Pair("collect (read + land)", note="floor: UTF-8 files only (GB18030 CSV and XLSX left out)"),
            rounds,
            lambda number: land(year.source, work / f"collect-{number}.duckdb"),
            floor_collect,
        )
    ]
    with open_warehouse(year.db) as conn:
        floor_work.prepare(conn)
        deadline = default_deadline(YEAR).to_pydatetime()
        pairs.append(
            _alternate(
                Pair("contracts (submissions + reviews, tables written)"),
                rounds,
                lambda _: check_contracts(conn),
                lambda _: floor_work.contracts(conn, YEAR, deadline),
            )
        )
        import_seconds, _ = timed(lambda: __import__("great_expectations"))
        docs = work / "docs"
        pairs.append(Pair("GX import (once per process)", mine=[import_seconds]))
        pairs.append(
            _alternate(
                Pair("GX records suites (18 expectations, Data Docs)"),
                rounds,
                lambda number: _run_stage(
                    conn,
                    YEAR,
                    "records",
                    ("submissions.critical", "submissions.warning", "reviews.critical", "reviews.warning"),
                    records_frames(conn, YEAR),
                    docs / str(number),
                ),
                lambda _: floor_work.gx_records(conn, YEAR),
            )
        )
        pairs.append(
            _alternate(
                Pair("score (percentiles, trimmed means, flags, input hash)"),
                rounds,
                lambda _: score_now(conn),
                lambda _: floor_work.score(conn, YEAR),
            )
        )
        pairs.extend(publish_pairs(conn, year, work, rounds))
        floor_work.clean(conn)
    return pairs


def publish_pairs(conn: Any, year: Year, work: Path, rounds: int) -> list[Pair]:
    """The CSV and XLSX parts of publish, each beside its floor; the CSV pair notes whether the
    floor's files are byte-identical to unionflow's."""
    from tasks.publish import write_csv_outputs
    from tasks.reports import load_report_data
    from unionflow.reports.xlsx import write_xlsx

    ids = (year.allocation_run_id, year.score_run_id)
    csv = _alternate(
        Pair("CSV part of publish (3 files)"),
        rounds,
        lambda number: write_csv_outputs(conn, YEAR, *ids, work / f"csv-{number}"),
        lambda number: floor_work.csv_files(conn, YEAR, *ids, work / f"floor-csv-{number}"),
    )
    same = all(
        (work / "csv-0" / name).read_bytes() == (work / "floor-csv-0" / name).read_bytes()
        for name in ("scores.csv", "allocations.csv", "quarantine.csv")
    )
    csv.note = "floor: DuckDB COPY, " + ("byte-identical files" if same else "files DIFFER")
    data = load_report_data(conn, YEAR, year.allocation_run_id, None)
    note = "floor: XlsxWriter constant_memory, cell by cell"
    try:
        write_xlsx(work / "report-check.xlsx", data, "en")
    except TypeError as error:
        # Seen at 100,000 units (2026-12-02): the Scenarios sheet's median_amount holds None.
        # The workbook is then timed without that sheet, and the table says so.
        data = replace(data, scenarios=None)
        note += f"; unionflow's Scenarios sheet raised {error!r}: timed without it"
    xlsx = _alternate(
        Pair("XLSX part of publish", note=note),
        rounds,
        lambda number: write_xlsx(work / f"report-{number}.xlsx", data, "en"),
        lambda number: floor_work.xlsx(conn, YEAR, *ids, work / f"floor-{number}.xlsx"),
    )
    return [csv, xlsx]


def _seconds(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}" if values else ""


def show(pairs: list[Pair], units: int, rounds: int, console: Console) -> None:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    table = Table(title=f"same-work floors: {units:,} units, {rounds} rounds, load average {load}")
    for column in ("stage", "unionflow s (min / median)", "floor s (min / median)", "ratio", "note"):
        table.add_column(column, justify="left" if column in ("stage", "note") else "right")
    for pair in pairs:
        ratio = "" if pair.ratio is None else f"{pair.ratio:.2f}×"
        table.add_row(pair.stage, _seconds(pair.mine), _seconds(pair.floor), ratio, pair.note)
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=int(os.environ.get(UNITS_VARIABLE, DEFAULT_UNITS)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="300 units, one round")
    options = parser.parse_args()
    units, rounds = (300, 1) if options.quick else (options.units, options.rounds)
    console = Console(width=160)
    work = Path(tempfile.mkdtemp(prefix="unionflow-floors-"))
    try:
        console.print(f"building a synthetic year of {units:,} units (not timed)…", highlight=False)
        year = build_year(work, units)
        show(measure(year, work, rounds), units, rounds, console)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
