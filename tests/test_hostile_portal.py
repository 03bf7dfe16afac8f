"""Collection against portals that are broken rather than busy, through the real command line.

The portal is the real reference portal on 127.0.0.1 with a hostile fault for ever (after a
couple of good pages): drip-fed bodies, endless empty pages with fresh cursors, repeated cursors,
HTML bodies, 500 for ever. Each collection must end within its configured bounds with one line
on stderr and exit code 2, keep what it landed, and a later run against the healthy portal (the
same URL, so the stored cursors are used) must converge to the folder collection.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.collect import collect
from tests.cli import unionflow
from tests.test_http_collection import snapshot
from unionflow.portal.server import serve_in_background
from warehouse.connection import open_warehouse
from warehouse.sql import run

YEAR = 2025
TOKEN = "hostile-portal-token-51d0"
ATTEMPTS = 3
REQUEST_DEADLINE = 1.0
BACKOFF_MAX = 0.05
SHORT = {
    "UNIONFLOW_PORTAL_TOKEN": TOKEN,
    "UNIONFLOW_PORTAL_PAGE_SIZE": "8",
    "UNIONFLOW_PORTAL_MAX_ATTEMPTS": str(ATTEMPTS),
    "UNIONFLOW_PORTAL_BACKOFF_BASE": "0.01",
    "UNIONFLOW_PORTAL_BACKOFF_MAX": str(BACKOFF_MAX),
    "UNIONFLOW_PORTAL_TIMEOUT": "0.5",
    "UNIONFLOW_PORTAL_REQUEST_DEADLINE": str(REQUEST_DEADLINE),
    "UNIONFLOW_PORTAL_MAX_EMPTY_PAGES": "3",
    "UNIONFLOW_PORTAL_MAX_REPEATED_CURSORS": "2",
}
# The most any of these collections may take: every attempt of one page up to its deadline, the
# waits between them, and the command line's start-up and the landing around it.
BUDGET_SECONDS = ATTEMPTS * (REQUEST_DEADLINE + BACKOFF_MAX) + 30

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def short_bounds() -> Iterator[None]:
    """Small deadlines and bounds for every collection of this module."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SHORT.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic year (planted defects, replays, superseded records included)."""
    from unionflow.synth import synthesize

    out = tmp_path_factory.mktemp("hostile-source")
    synthesize(out, units=30, year=YEAR, seed=5)
    return out


@pytest.fixture(scope="module")
def from_folder(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("folder-db") / "warehouse.duckdb"
    collect(year=YEAR, source=str(folder), db=str(db))
    return snapshot(db)


def _collect_until_it_stops(folder: Path, db: Path, faults: str) -> tuple[int, list[str], float, int]:
    """Collect from a hostile portal, then from the healthy one at the same URL.

    Returns the hostile run's exit code, its stderr lines and duration, and what the healthy run
    received (the sum of its `received`).
    """
    with serve_in_background(folder, TOKEN, faults=faults) as url:
        port = int(url.rsplit(":", 1)[1])
        started = time.monotonic()
        outcome = unionflow("collect", "--year", str(YEAR), "--source", url, "--db", str(db))
        took = time.monotonic() - started
    with open_warehouse(db, read_only=True) as conn:
        assert run(conn, "select status from collection_runs") == [("failed",)]
    with serve_in_background(folder, TOKEN, port=port) as same_url:
        assert same_url == url  # stored cursors are kept per portal URL
        results = collect(year=YEAR, source=url, db=str(db))
    assert all(result.balanced for result in results)
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    return outcome.code, lines, took, sum(result.received for result in results)


HOSTILE = {
    "drip": ("drip=1,sleep=0.2", "no complete answer within the request deadline of 1 s"),
    "empty": ("empty=1", "pages in a row without items"),
    "loop": ("loop=1", "whose next cursor was already followed"),
    "html": ("html=1", "not JSON"),
    "500": ("500=1", "HTTP 500"),
}


@pytest.mark.parametrize("fault", list(HOSTILE))
def test_a_hostile_portal_ends_with_one_line_and_a_rerun_converges(
    fault: str, folder: Path, tmp_path: Path, from_folder: dict[str, Any]
) -> None:
    spec, reason = HOSTILE[fault]
    db = tmp_path / "warehouse.duckdb"
    code, lines, took, _ = _collect_until_it_stops(folder, db, f"{spec},after=3")
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("unionflow: error: portal http://127.0.0.1:")
    assert reason in lines[0]
    assert "Traceback" not in lines[0] and TOKEN not in lines[0]
    assert took < BUDGET_SECONDS
    assert snapshot(db) == from_folder


def test_pages_landed_before_the_portal_turned_hostile_are_kept(
    folder: Path, tmp_path: Path, from_folder: dict[str, Any]
) -> None:
    db = tmp_path / "warehouse.duckdb"
    with serve_in_background(folder, TOKEN) as url:
        whole = sum(result.received for result in collect(year=YEAR, source=url, db=str(tmp_path / "a.db")))
    # Ten good pages of eight, then an empty page for ever: the rerun fetches less than everything.
    code, _, _, rerun = _collect_until_it_stops(folder, db, "empty=1,after=10")
    assert code == 2
    assert 0 < rerun < whole
    assert snapshot(db) == from_folder


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_collection_with_one_line_and_a_rerun_resumes(
    stop: signal.Signals,
    folder: Path,
    tmp_path: Path,
    from_folder: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A patient client (long deadline) on a dripping portal: only the signal ends this collection.
    monkeypatch.setenv("UNIONFLOW_PORTAL_REQUEST_DEADLINE", "600")
    db = tmp_path / "warehouse.duckdb"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with serve_in_background(folder, TOKEN, faults="drip=1,sleep=0.2,after=6") as url:
        port = int(url.rsplit(":", 1)[1])

        def dripping() -> bool:
            try:
                stats = httpx.get(f"{url}/api/v1/_stats", headers=auth, timeout=10).json()
            except httpx.HTTPError:
                return False  # a busy portal answers a later poll
            return bool(stats["faults"].get("drip", 0) >= 1)

        def send_when_dripping() -> None:
            # The signal is always sent, at the latest after the deadline: a poll that failed
            # used to end this thread silently, and the collection then ran on to the test's
            # timeout instead of letting the assertions below say what happened.
            deadline = time.monotonic() + 120
            while not dripping() and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(os.getpid(), stop)  # delivered to the main thread, where the command runs

        sender = threading.Thread(target=send_when_dripping, daemon=True)
        sender.start()
        outcome = unionflow("collect", "--year", str(YEAR), "--source", url, "--db", str(db))
        sender.join(timeout=5)
    assert outcome.code == 2
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(f"unionflow: error: stopped by {stop.name}")
    assert "re-run resumes" in lines[0]
    with open_warehouse(db, read_only=True) as conn:
        assert run(conn, "select status from collection_runs") == [("failed",)]
        assert run(conn, "select count(*) from raw_payloads")[0][0] > 0
    with serve_in_background(folder, TOKEN, port=port):
        collect(year=YEAR, source=url, db=str(db))
    assert snapshot(db) == from_folder


def test_a_signal_that_lands_inside_an_event_loop_callback_still_stops_the_loop() -> None:
    """The portal client's event loop runs in the main thread, where the signal handler raises.

    asyncio logs and drops a BaseException raised inside a callback unless it is SystemExit or
    KeyboardInterrupt, so a signal that landed while a callback ran (a byte of a dripping page
    arriving) used to be lost and the collection ran on to its deadline. Deterministic here: the
    handler's exception is raised from a callback itself.
    """
    import asyncio

    from flows.cli.main import Terminated, _terminate

    async def collecting() -> None:
        asyncio.get_running_loop().call_soon(_terminate, signal.SIGTERM, None)
        await asyncio.sleep(5)  # the rest of a dripping page: never reached

    started = time.monotonic()
    with pytest.raises(Terminated, match="SIGTERM"):
        asyncio.run(collecting())
    assert time.monotonic() - started < 4
