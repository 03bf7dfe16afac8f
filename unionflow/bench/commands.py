"""The "commands" table of `make bench`: wall time of whole `unionflow` commands, as a user runs them.

Each figure is the median of 5 runs of the console command (a new process each time) in the same
bench run, after one unmeasured warm-up. Refusals and read commands run with no Prefect server
configured (the worst case: they must not need one); `run` is measured on 225 units with no
server (it starts its own temporary one) beside an empty Prefect flow run in the same conditions
(Prefect starting its ephemeral server), and against a running local server (PREFECT_API_URL).
Figures are reported, never asserted; the targets are issue 15's.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

YEAR = 2025
REPEATS = 5
TOKEN = "bench-token"  # noqa: S105 - the reference portal's throw-away token for this bench
EMPTY_FLOW = "from prefect import flow\n@flow\ndef empty():\n    return None\nempty()\n"


@dataclass
class CommandFigure:
    """One command's median wall time, its exit code and the target it is held to."""

    name: str
    seconds: float
    code: int
    target: str


def _timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - started, done.returncode


def _median(args: list[str], env: dict[str, str], cwd: Path, fresh: Path | None = None) -> tuple[float, int]:
    """Median of REPEATS runs after one warm-up; `fresh` (a folder) is emptied before each run."""
    times, code = [], 0
    for attempt in range(_repeats() + 1):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir(parents=True)
        seconds, code = _timed(args, env, cwd)
        if attempt:  # the first run warms the page cache and Prefect's database
            times.append(seconds)
    return statistics.median(times), code


def _repeats() -> int:
    # UNIONFLOW_BENCH_REPEATS lowers the count for a quick look; the table's figures use 5.
    return max(1, int(os.environ.get("UNIONFLOW_BENCH_REPEATS") or REPEATS))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(work: Path, env: dict[str, str], api_url: str) -> dict[str, Path]:
    """A synthetic year, a published warehouse with a newer draft and an open objection, an empty
    warehouse and a bad config; made once with the bench's server (not measured)."""
    from unionflow.synth import synthesize

    cli = [sys.executable, "-m", "flows"]
    source = work / "source"
    synthesize(source, units=225, year=YEAR, seed=20231)
    served = {**env, "PREFECT_API_URL": api_url}
    db = work / "published.duckdb"
    for step in (
        ["run", "--year", str(YEAR), "--source", str(source), "--out", str(work / "out"), "--db", str(db)],
        ["allocate", "--year", str(YEAR), "--budget", "900000", "--db", str(db)],
        [
            "objection",
            "add",
            "--year",
            str(YEAR),
            "--unit",
            "BT-C-0001",
            "--reason",
            "bench",
            "--db",
            str(db),
        ],
    ):
        subprocess.run([*cli, *step], env=served, cwd=work, check=True, capture_output=True, timeout=600)
    bad = work / "bad.toml"
    bad.write_text("version = 1\n[allocation]\nfloor = 30000\n", encoding="utf-8")
    return {"source": source, "db": db, "empty": work / "empty.duckdb", "bad": bad}


def _first_quarantine_id(db: Path) -> str:
    from warehouse.connection import open_warehouse
    from warehouse.sql import run, statement

    with open_warehouse(db, read_only=True) as conn:
        return str(run(conn, statement("bench_first_quarantine_id"))[0][0])


def measure(work: Path, console: Console | None = None) -> list[CommandFigure]:
    """Run every command of the table; returns its figures (the bench's own server is stopped).

    With `console`, each figure is also printed as soon as it is measured (the table takes
    minutes on a busy machine)."""
    from flows.warm_start import TemporaryApi
    from unionflow.portal.server import serve_in_background

    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "UNIONFLOW_"))}
    env |= {"PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    server = TemporaryApi.start(work / "bench-server.log", database=work / "bench-server.db")
    figures = _Figures(console)
    try:
        server.wait_until_ready()
        paths = _prepare(work, env, server.url)
        cli = [sys.executable, "-m", "flows"]
        db, empty, year = str(paths["db"]), str(paths["empty"]), str(YEAR)
        out = str(work / "refused-out")
        with serve_in_background(paths["source"], TOKEN) as portal:
            refusals = {
                "publish, already published (no --supersede)": [
                    "publish",
                    "--year",
                    year,
                    "--out",
                    out,
                    "--db",
                    db,
                ],
                "publish --stage final, objection open": [
                    "publish",
                    "--year",
                    year,
                    "--out",
                    out,
                    "--stage",
                    "final",
                    "--db",
                    db,
                ],
                "score, nothing collected": ["score", "--year", year, "--db", empty],
                "allocate, not scored": ["allocate", "--year", year, "--db", empty],
                "collect, portal refuses the token": [
                    "collect",
                    "--year",
                    year,
                    "--source",
                    portal,
                    "--db",
                    empty,
                ],
                "collect, no token": ["collect", "--year", year, "--source", portal, "--db", empty],
                "collect, portal unreachable": [
                    "collect",
                    "--year",
                    year,
                    "--source",
                    f"http://127.0.0.1:{_closed_port()}",
                    "--db",
                    empty,
                ],
                "score, bad config": ["score", "--year", year, "--config", str(paths["bad"]), "--db", empty],
                "collect, bad option": ["collect", "--year", "twenty", "--source", portal],
            }
            for name, args in refusals.items():
                tokened = env if "no token" in name else {**env, "UNIONFLOW_PORTAL_TOKEN": "not-" + TOKEN}
                seconds, code = _median([*cli, *args], tokened, work)
                figures.append(CommandFigure(f"refusal: {name}", seconds, code, "< 2 s, exit 2"))
        reads = {
            "quarantine list": ["quarantine", "list", "--year", year, "--db", db],
            "quarantine show": ["quarantine", "show", _first_quarantine_id(paths["db"]), "--db", db],
            "objection list": ["objection", "list", "--year", year, "--db", db],
            "assign --check": ["assign", "--year", year, "--check", "--db", db],
        }
        for name, args in reads.items():
            seconds, code = _median([*cli, *args], env, work)
            figures.append(CommandFigure(name, seconds, code, "< 1.5 s"))
        fresh = work / "fresh"
        run_args = ["run", "--year", year, "--source", str(paths["source"]), "--out", str(fresh / "out")]
        run_args += ["--db", str(fresh / "w.duckdb")]
        floor, floor_code = _median([sys.executable, "-c", EMPTY_FLOW], env, work)
        figures.append(CommandFigure("empty Prefect flow run, no server", floor, floor_code, "(floor)"))
        seconds, code = _median([*cli, *run_args], env, work, fresh=fresh)
        figures.append(
            CommandFigure("run, 225 units, no server", seconds, code, f"≤ 1.3 × floor ({1.3 * floor:.1f} s)")
        )
        served = {**env, "PREFECT_API_URL": server.url}
        seconds, code = _median([*cli, *run_args], served, work, fresh=fresh)
        figures.append(CommandFigure("run, 225 units, local server", seconds, code, "< 6 s"))
    finally:
        server.stop()
    return figures


class _Figures(list[CommandFigure]):
    """The figures so far, each printed as it arrives when a console is given."""

    def __init__(self, console: Console | None) -> None:
        super().__init__()
        self.console = console

    def append(self, figure: CommandFigure) -> None:
        super().append(figure)
        if self.console is not None:
            self.console.print(
                f"  {figure.name}: {figure.seconds:.2f} s (exit {figure.code}; target {figure.target})",
                highlight=False,
            )


def show(figures: list[CommandFigure], console: Console) -> None:
    """The commands table."""
    table = Table(title=f"commands (median of {_repeats()} runs each, new process per run)")
    for column in ("command", "seconds", "exit", "target"):
        table.add_column(column, justify="left" if column in ("command", "target") else "right")
    for figure in figures:
        table.add_row(figure.name, f"{figure.seconds:.2f}", str(figure.code), figure.target)
    console.print(table)
