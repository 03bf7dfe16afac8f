"""`make bench`: stage-by-stage wall time and peak memory, beside the DuckDB floor.

    python -m unionflow.bench [stages|commands] [--sizes 225,10000,100000,1000000] [--out bench-results]
                              [--no-http]

With no step, both tables: the stages, then the commands (`unionflow.bench.commands`).
Each stage runs in its own child process, so its peak RSS is its own (from `os.wait4`). The table
is printed and written as JSON (bench-results/latest.json) for comparison between commits.
Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from unionflow.bench import commands, figures, timing

PIPELINE = ("collect_folder", "gx", "score", "allocate", "publish", "copies")
HTTP_MAX_UNITS = 100_000
END_TO_END_TARGET = (300.0, 8 * 1024)  # 1,000,000 units: < 5 minutes, < 8 GiB


@dataclass
class Measurement:
    """One stage at one size."""

    units: int
    stage: str
    records: int
    seconds: float
    peak_rss_mib: float
    floor_seconds: float | None
    child: str

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor_seconds if self.floor_seconds else None


def child(args: list[str]) -> tuple[list[dict[str, object]], float, float]:
    """Run a child process; (its JSON rows, its wall seconds, its peak RSS in MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed (status {status})")
    lines = [line for line in output.strip().splitlines() if line.startswith("[")]
    rows = json.loads(lines[-1]) if lines else []
    return rows, wall, usage.ru_maxrss / 1024


def stage(name: str, work: Path, units: int) -> list[Measurement]:
    rows, _, rss = child(["-m", "unionflow.bench.stages", name, str(work), str(units)])
    return [
        Measurement(units, str(r["stage"]), int(str(r["records"])), float(str(r["seconds"])), rss,
                    None if r["floor_seconds"] is None else float(str(r["floor_seconds"])), name)
        for r in rows
    ]  # fmt: skip


def prefect_floor(work: Path) -> list[Measurement]:
    """An empty Prefect flow run and the 225-unit demo, both as whole processes (start-up included)."""
    _, empty_wall, empty_rss = child(["-m", "unionflow.bench.stages", "empty_flow", str(work), "0"])
    demo = work / "demo"
    _, demo_wall, demo_rss = child(["-m", "flows", "demo", "--out", str(demo)])
    shutil.rmtree(demo, ignore_errors=True)
    return [
        Measurement(0, "empty Prefect flow run (process)", 0, empty_wall, empty_rss, None, "empty_flow"),
        Measurement(225, "demo end to end (process)", 1558, demo_wall, demo_rss, empty_wall, "demo"),
    ]


def run(sizes: list[int], work: Path, http: bool) -> list[Measurement]:
    results = prefect_floor(work)
    for units in sizes:
        # The reference portal is a test double holding the whole folder in memory; above 100,000
        # units it measures itself more than collection, so HTTP is measured up to that size.
        over_http = http and units <= HTTP_MAX_UNITS
        names = ["synthesise", "collect_folder", *(["collect_http"] if over_http else []), "gx", "score",
                 "assign", "allocate", "publish", "copies"]  # fmt: skip
        for name in names:
            results.extend(stage(name, work, units))
        for leftover in work.glob(f"*-{units}*"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
    return results


def show(results: list[Measurement], console: Console) -> None:
    table = Table(title="unionflow bench (this machine)")
    for column in (
        "units",
        "stage",
        "records",
        "wall s",
        "peak RSS MiB",
        "records/s",
        "DuckDB floor s",
        "× floor",
    ):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for m in results:
        table.add_row(
            f"{m.units:,}",
            m.stage,
            f"{m.records:,}",
            f"{m.seconds:.2f}",
            f"{m.peak_rss_mib:,.0f}",
            f"{m.per_second:,.0f}",
            "" if m.floor_seconds is None else f"{m.floor_seconds:.3f}",
            "" if m.ratio is None else f"{m.ratio:.1f}",
        )
    console.print(table)
    for units in sorted({m.units for m in results if m.units}):
        mine = [m for m in results if m.units == units and m.child in PIPELINE]
        if mine:
            total = sum(m.seconds for m in mine)
            peak = max(m.peak_rss_mib for m in mine)
            console.print(
                f"{units:>9,} units end to end (collect, contracts, load, GX, score, allocate, publish, "
                f"copies): {total:.1f} s, peak {peak:,.0f} MiB",
                highlight=False,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="225,10000,100000,1000000", help="comma-separated unit counts")
    parser.add_argument("--out", default="bench-results", help="folder for the JSON results")
    parser.add_argument("--no-http", action="store_true", help="skip collection over HTTP")
    parser.add_argument("step", nargs="?", choices=("all", "stages", "commands"), default="all",
                        help="one table alone (default: both)")  # fmt: skip
    options = parser.parse_args()
    # A bench stopped from outside (a deadline, `kill`) still stops the servers it started and
    # removes its temporary folder: SIGTERM unwinds like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(size) for size in options.sizes.split(",")]
    console = Console(width=160)
    results: list[Measurement] = []
    measured: list[figures.CommandFigure] = []
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    with tempfile.TemporaryDirectory(prefix="unionflow-bench-") as work:
        if options.step in ("all", "stages"):
            results = run(sizes, Path(work), http=not options.no_http)
        if options.step in ("all", "commands"):
            niceness = timing.prioritise()
            measured = commands.measure(Path(work) / "commands", console)
    if results:
        show(results, console)
    if measured:
        figures.show(measured, console, niceness)
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
            "niceness": niceness,
        },
        "results": [asdict(m) | {"records_per_second": m.per_second, "ratio": m.ratio} for m in results],
        "commands": [asdict(f) | {"passed": f.passed} for f in measured],
    }
    path = out / ("latest.json" if options.step == "all" else f"latest-{options.step}.json")
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console.print(f"results written to {path}")


if __name__ == "__main__":
    main()
