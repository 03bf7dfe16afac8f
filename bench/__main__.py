"""Run the benchmark: `python -m bench [--sizes 225,100000] [--out bench-results]`."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

TARGETS = {
    # stage: (seconds, GiB) targets from the issues, for 100,000 units
    "collect": (60.0, 2.0),
    "score_allocate": (10.0, 2.0),
}


@dataclass
class Measurement:
    """One stage at one size."""

    units: int
    stage: str
    seconds: float
    peak_rss_mib: float
    records: int

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def measure(stage: str, *args: str) -> tuple[float, float, int]:
    """Run a stage in a child process: (its own wall seconds, its peak RSS in MiB, records)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.stages", stage, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"bench stage {stage} failed (status {status})")
    result = json.loads(output.strip().splitlines()[-1])
    return float(result["seconds"]), usage.ru_maxrss / 1024, int(result["records"])


def run(sizes: list[int], work: Path, http: bool) -> list[Measurement]:
    results = []
    seconds, rss, records = measure("empty_flow")
    results.append(Measurement(0, "empty Prefect flow (floor)", seconds, rss, records))
    for units in sizes:
        source, db = work / f"source-{units}", work / f"w-{units}.duckdb"
        for stage, args in (
            ("synthesise", (str(source), str(units))),
            ("collect", (str(source), str(db))),
            ("score_allocate", (str(db),)),
        ):
            seconds, rss, records = measure(stage, *args)
            results.append(Measurement(units, stage, seconds, rss, records))
        if http:
            seconds, rss, records = measure("http_collect", str(source), str(work / f"h-{units}.duckdb"))
            results.append(Measurement(units, "http_collect", seconds, rss, records))
    return results


def show(results: list[Measurement]) -> None:
    table = Table(title="unionflow bench (this machine)")
    for column in ("units", "stage", "records", "wall s", "peak RSS MiB", "records/s", "target (100k)"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for m in results:
        target = TARGETS.get(m.stage)
        table.add_row(
            f"{m.units:,}",
            m.stage,
            f"{m.records:,}",
            f"{m.seconds:.2f}",
            f"{m.peak_rss_mib:,.0f}",
            f"{m.per_second:,.0f}",
            f"< {target[0]:.0f} s, < {target[1]:.0f} GiB" if target and m.units >= 100_000 else "",
        )
    Console(width=140).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="225,100000", help="comma-separated unit counts")
    parser.add_argument("--out", default="bench-results", help="folder for the JSON results")
    parser.add_argument("--no-http", action="store_true", help="skip HTTP collection")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="unionflow-bench-") as work:
        results = run(sizes, Path(work), http=not options.no_http)
    show(results)
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "started_at": started,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": [asdict(m) | {"records_per_second": m.per_second} for m in results],
    }
    path = out / "latest.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    Console().print(f"results written to {path}")


if __name__ == "__main__":
    main()
