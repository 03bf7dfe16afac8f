"""The "commands" table of `make bench`: whole `unionflow` commands timed as a user runs them.

    python -m unionflow.bench commands      (this table alone; UNIONFLOW_BENCH_REPEATS=1 for a look)

Every figure is the median of 5 runs of the console command, a new process each time, in the same
bench run (`unionflow.bench.timing`). Refusals and read commands run with no Prefect server
configured, the worst case, since they must not need one: refusals against real 127.0.0.1 servers
(the reference portal answering 401 to a wrong token, a port nobody listens on). `run` on 225
units is timed with no server (it starts its own temporary one) interleaved with an empty flow run
started the same way (`unionflow.bench.empty_flow`), and against a local `prefect server start`
the bench starts (with a deadline) and stops at the end, with PREFECT_API_URL set. Figures are
reported, never asserted; the targets are issue 15's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from unionflow.bench.figures import CommandFigure, Figures
from unionflow.bench.timing import Command, time_commands

YEAR = 2025
TOKEN = "bench-token"  # noqa: S105 - the reference portal's throw-away token for this bench
#: How long the bench's own Prefect server may take to answer /health (a loaded 2-core machine).
SERVER_DEADLINE_SECONDS = 300.0
REFUSAL_TARGET, READ_TARGET, RUN_RATIO, SERVED_RUN_TARGET = 2.0, 1.5, 1.3, 6.0


def cli() -> list[str]:
    """The `unionflow` console command of this environment, as a user types it."""
    script = Path(sys.executable).with_name("unionflow")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "flows"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(work: Path, env: dict[str, str], api_url: str) -> dict[str, Path]:
    """A synthetic year, a published warehouse with an open objection, an empty warehouse and a
    bad config; made once on the bench's server (not measured)."""
    from unionflow.synth import synthesize

    source, db = work / "source", work / "published.duckdb"
    synthesize(source, units=225, year=YEAR, seed=20231)
    year = ["--year", str(YEAR), "--db", str(db)]
    for step in (
        ["run", *year, "--source", str(source), "--out", str(work / "out")],
        ["allocate", *year, "--budget", "900000"],
        ["objection", "add", *year, "--unit", "BT-C-0001", "--reason", "bench"],
    ):
        served = {**env, "PREFECT_API_URL": api_url}
        subprocess.run([*cli(), *step], env=served, cwd=work, check=True, capture_output=True, timeout=900)
    bad = work / "bad.toml"
    bad.write_text("version = 1\n[allocation]\nfloor = 30000\n", encoding="utf-8")
    return {"source": source, "db": db, "empty": work / "empty.duckdb", "bad": bad}


def _first_quarantine_id(db: Path) -> str:
    from warehouse.connection import open_warehouse
    from warehouse.sql import run, statement

    with open_warehouse(db, read_only=True) as conn:
        return str(run(conn, statement("bench_first_quarantine_id"))[0][0])


def _refusals(paths: dict[str, Path], portal: str, out: Path) -> dict[str, list[str]]:
    """Each refusal of issue 15's list, as the command line that meets it."""
    db, empty, year = str(paths["db"]), str(paths["empty"]), ["--year", str(YEAR)]
    return {
        "publish, already published (no --supersede)": ["publish", *year, "--out", str(out), "--db", db],
        "publish --stage final, objection open": ["publish", *year, "--out", str(out), "--stage", "final",
                                                  "--db", db],
        "score, nothing collected": ["score", *year, "--db", empty],
        "allocate, not scored": ["allocate", *year, "--db", empty],
        "collect, portal answers 401 (bad token)": ["collect", *year, "--source", portal, "--db", empty],
        "collect, no token": ["collect", *year, "--source", portal, "--db", empty],
        "collect, portal unreachable (closed port)": ["collect", *year, "--source",
                                                      f"http://127.0.0.1:{_closed_port()}", "--db", empty],
        "score, bad config": ["score", *year, "--config", str(paths["bad"]), "--db", empty],
        "collect, bad option (--year twenty)": ["collect", "--year", "twenty", "--source", portal],
    }  # fmt: skip


def _reads(paths: dict[str, Path]) -> dict[str, list[str]]:
    db, year = str(paths["db"]), ["--year", str(YEAR)]
    return {
        "quarantine list": ["quarantine", "list", *year, "--db", db],
        "quarantine show": ["quarantine", "show", _first_quarantine_id(paths["db"]), "--db", db],
        "objection list": ["objection", "list", *year, "--db", db],
        "assign --check": ["assign", *year, "--check", "--db", db],
    }


def _runs(work: Path, paths: dict[str, Path], env: dict[str, str], api_url: str, figures: Figures) -> None:
    """`run` on 225 units beside the empty flow run, with no server and with the local one."""
    fresh = work / "fresh"
    run_args = [*cli(), "run", "--year", str(YEAR), "--source", str(paths["source"])]
    run_args += ["--out", str(fresh / "out"), "--db", str(fresh / "w.duckdb")]
    empty_args = [sys.executable, "-m", "unionflow.bench.empty_flow"]
    floor, alone = time_commands(Command(empty_args, env, work), Command(run_args, env, work, fresh))
    figures.append(CommandFigure.of("empty flow run, no server (floor)", floor, "(floor)", None))
    limit = RUN_RATIO * floor.median
    target = f"≤ {RUN_RATIO} × floor ({limit:.1f} s)"
    figures.append(
        CommandFigure.of("run, 225 units, no server", alone, target, limit, expected_code=0, inclusive=True)
    )
    served = {**env, "PREFECT_API_URL": api_url}
    served_floor, served_run = time_commands(
        Command(empty_args, served, work), Command(run_args, served, work, fresh)
    )
    figures.append(CommandFigure.of("empty flow run, local server", served_floor, "(reference)", None))
    target = f"< {SERVED_RUN_TARGET:.0f} s"
    figures.append(
        CommandFigure.of(
            "run, 225 units, local server", served_run, target, SERVED_RUN_TARGET, expected_code=0
        )
    )


def measure(work: Path, console: Console | None = None) -> list[CommandFigure]:
    """Run every command of the table; returns its figures (the bench's own server is stopped).

    With `console`, each figure is also printed as soon as it is measured."""
    from flows.warm_start import TemporaryApi
    from unionflow.portal.server import serve_in_background

    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "UNIONFLOW_"))}
    env |= {"PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    server = TemporaryApi.start(work / "bench-server.log", database=work / "bench-server.db")
    figures = Figures(console)
    try:
        server.wait_until_ready(SERVER_DEADLINE_SECONDS)
        paths = _prepare(work, env, server.url)
        with serve_in_background(paths["source"], TOKEN) as portal:
            for name, args in _refusals(paths, portal, work / "refused-out").items():
                tokened = env if "no token" in name else {**env, "UNIONFLOW_PORTAL_TOKEN": "not-" + TOKEN}
                (timing,) = time_commands(Command([*cli(), *args], tokened, work))
                target = f"< {REFUSAL_TARGET:.0f} s, exit 2, 1 line"
                figures.append(
                    CommandFigure.of(f"refusal: {name}", timing, target, REFUSAL_TARGET, 2, one_line=True)
                )
        for name, args in _reads(paths).items():
            (timing,) = time_commands(Command([*cli(), *args], env, work))
            figures.append(CommandFigure.of(name, timing, f"< {READ_TARGET} s", READ_TARGET, expected_code=0))
        _runs(work, paths, env, server.url, figures)
    finally:
        server.stop()
    return figures
