"""Collection over HTTP through the real `collect` flow, against the reference portal on 127.0.0.1.

No mocks: the portal is a real uvicorn server, the warehouse a real DuckDB file, flows run on the
session's Prefect test server, and the command line runs as a subprocess.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.collect import collect
from unionflow.portal.server import serve_in_background
from unionflow.sources.payloads import SourceError
from unionflow.sources.portal_client import PortalAuthError, PortalUnavailable, resolve_token
from warehouse.connection import open_warehouse
from warehouse.sql import run

YEAR = 2025
TOKEN = "http-collection-token-9b2e7d"
#: The console script, run as the installed one runs (not through `uv run`, which checks the lock first).
UNIONFLOW = (sys.executable, "-m", "flows")
FAST_RETRIES = {
    "UNIONFLOW_PORTAL_TOKEN": TOKEN,
    "UNIONFLOW_PORTAL_PAGE_SIZE": "16",
    "UNIONFLOW_PORTAL_MAX_ATTEMPTS": "12",
    "UNIONFLOW_PORTAL_BACKOFF_BASE": "0.01",
    "UNIONFLOW_PORTAL_BACKOFF_MAX": "0.05",
    "UNIONFLOW_PORTAL_TIMEOUT": "0.5",
}
# 30 % of page requests fail, every kind of fault included (`slow` outlasts the 0.5 s read timeout).
ALL_FAULTS = (
    "429=0.04,502=0.04,503=0.04,504=0.04,slow=0.03,drop=0.04,truncate=0.04,repeat=0.03,"
    "seed=1,sleep=1,retry_after=0"
)
# Everything the command line printed in this module, scanned for the token at the end.
CLI_OUTPUT: list[str] = []

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def portal_env() -> Iterator[None]:
    """Token and short retry delays for every collection of this module."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAST_RETRIES.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic year of 40 units with planted defects, replays and superseded records."""
    from unionflow.synth import synthesize

    out = tmp_path_factory.mktemp("http-source")
    synthesize(out, units=40, year=YEAR, seed=11)
    return out


def snapshot(db: Path) -> dict[str, Any]:
    """What a collection leaves in the warehouse, without ids that depend on arrival interleaving."""
    with open_warehouse(db, read_only=True) as conn:
        sub_cols = [row[0] for row in run(conn, "select column_name from (describe submissions)")]
        rev_cols = [row[0] for row in run(conn, "select column_name from (describe reviews)")]
        subs = ", ".join(c for c in sub_cols if c != "payload_id")
        revs = ", ".join(c for c in rev_cols if c != "payload_id")
        return {
            "submissions": run(conn, f"select {subs} from submissions order by all"),
            "reviews": run(conn, f"select {revs} from reviews order by all"),
            "units": run(conn, "select * exclude (payload_id) from units order by all"),
            "quarantine": run(
                conn,
                "select record_kind, source_ref, unit_id, year, rule, message from quarantine order by all",
            ),
            "payloads": run(conn, "select record_kind, year, sha256, payload from raw_payloads order by all"),
        }


def counts(results: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.kind, r.received, r.accepted, r.quarantined, r.superseded, r.replayed) for r in results]


@pytest.fixture(scope="module")
def from_folder(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], dict[str, Any]]:
    db = tmp_path_factory.mktemp("folder-db") / "warehouse.duckdb"
    results = collect(year=YEAR, source=str(folder), db=str(db))
    return counts(results), snapshot(db)


@pytest.fixture(scope="module")
def clean_http(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], dict[str, Any]]:
    db = tmp_path_factory.mktemp("http-db") / "warehouse.duckdb"
    with serve_in_background(folder, TOKEN) as url:
        results = collect(year=YEAR, source=url, db=str(db))
    return counts(results), snapshot(db)


def _cli_env(**extra: str) -> dict[str, str]:
    import prefect.settings

    env = {**os.environ, **extra}
    # Reuse the session's Prefect test server instead of letting each subprocess start its own.
    env["PREFECT_API_URL"] = str(prefect.settings.get_current_settings().api.url)
    return env


def _collect_cli(url: str, db: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `unionflow collect` as a subprocess (several can run at once; see `_finish`)."""
    return subprocess.Popen(
        [*UNIONFLOW, "collect", "--year", str(YEAR), "--source", url, "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    CLI_OUTPUT.extend([out, err])
    return process.returncode, out, err


def test_clean_http_collection_equals_the_folder_collection(
    from_folder: tuple[list[Any], dict[str, Any]], clean_http: tuple[list[Any], dict[str, Any]]
) -> None:
    folder_counts, folder_state = from_folder
    http_counts, http_state = clean_http
    assert http_counts == folder_counts
    assert {kind for kind, *_ in http_counts} == {"unit", "submission", "review"}
    assert all(received > 0 for _, received, *_ in http_counts)
    assert http_state == folder_state


def test_transient_faults_of_every_kind_change_nothing(
    folder: Path,
    tmp_path: Path,
    clean_http: tuple[list[Any], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNIONFLOW_PORTAL_PAGE_SIZE", "4")  # many pages, so every fault kind gets its turn
    db = tmp_path / "warehouse.duckdb"
    with serve_in_background(folder, TOKEN, faults=ALL_FAULTS) as url:
        results = collect(year=YEAR, source=url, db=str(db))
        stats = httpx.get(f"{url}/api/v1/_stats", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert sum(stats["faults"].values()) >= 0.2 * stats["page_requests"]
    assert set(stats["faults"]) == {"429", "502", "503", "504", "slow", "drop", "truncate", "repeat"}
    clean_counts, clean_state = clean_http
    assert counts(results) == clean_counts
    # Nothing duplicated: the very same payloads, once each.
    assert snapshot(db) == clean_state


def test_an_unreadable_body_is_retried_then_fails_clearly(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONFLOW_PORTAL_MAX_ATTEMPTS", "3")
    with serve_in_background(folder, TOKEN, faults="truncate=1") as url:
        with pytest.raises(PortalUnavailable) as failure:
            collect(year=YEAR, source=url, db=str(tmp_path / "warehouse.duckdb"))
        stats = httpx.get(f"{url}/api/v1/_stats", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    message = str(failure.value)
    assert "kept failing after 3 attempts" in message and "re-run resumes" in message
    assert "\n" not in message
    assert stats["faults"]["truncate"] >= 3  # the first collection to give up stops the others
    with open_warehouse(tmp_path / "warehouse.duckdb", read_only=True) as conn:
        assert run(conn, "select count(*) from raw_payloads") == [(0,)]
        assert run(conn, "select status from collection_runs") == [("failed",)]


def test_a_killed_run_resumes_and_converges(
    folder: Path, tmp_path: Path, clean_http: tuple[list[Any], dict[str, Any]]
) -> None:
    db = tmp_path / "warehouse.duckdb"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    env = _cli_env(
        UNIONFLOW_PORTAL_MAX_ATTEMPTS="100000",
        UNIONFLOW_PORTAL_BACKOFF_BASE="0.05",
        UNIONFLOW_PORTAL_BACKOFF_MAX="0.1",
    )
    with serve_in_background(folder, TOKEN, faults="fail_after=5") as url:
        port = int(url.rsplit(":", 1)[1])
        command = [*UNIONFLOW, "collect", "--year", str(YEAR), "--source", url, "--db", str(db)]
        # Its own session, so the kill reaches every process the command started.
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 90
            # Five pages served, then the portal is down and the collector keeps retrying: kill it there.
            while httpx.get(f"{url}/api/v1/_stats", headers=auth).json()["faults"].get("fail_after", 0) < 6:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the collection never reached the outage"
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate(timeout=30)
            CLI_OUTPUT.extend([out, err])
    with open_warehouse(db, read_only=True) as conn:
        landed = run(conn, "select count(*) from raw_payloads")[0][0]
        assert run(conn, "select status from collection_runs") == [("running",)]
    assert 0 < landed < len(clean_http[1]["payloads"])

    with serve_in_background(folder, TOKEN, port=port) as same_url:
        assert same_url == url  # cursors are kept per portal URL
        results = collect(year=YEAR, source=url, db=str(db))
    assert sum(r.received for r in results) < sum(c[1] for c in clean_http[0])  # resumed, not restarted
    assert all(r.balanced for r in results)
    assert snapshot(db) == clean_http[1]


def test_the_command_line_stops_with_one_clear_line(folder: Path, tmp_path: Path) -> None:
    """A refused token, and a portal nobody answers at: exit 2 and exactly one line on stderr (no
    traceback, no exit-time noise), decided by one probe before any flow starts."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with serve_in_background(folder, TOKEN) as url:
        refused = _collect_cli(url, tmp_path / "a.duckdb", _cli_env(UNIONFLOW_PORTAL_TOKEN="not-the-token"))
        unreachable = _collect_cli(f"http://127.0.0.1:{closed}", tmp_path / "b.duckdb", _cli_env())
        refused_code, _, refused_err = _finish(refused)
        unreachable_code, _, unreachable_err = _finish(unreachable)
    assert refused_code == 2
    assert refused_err.splitlines() == [
        "unionflow: error: portal refused the token (401): check UNIONFLOW_PORTAL_TOKEN"
    ]
    assert unreachable_code == 2
    assert unreachable_err.splitlines() == [
        f"unionflow: error: portal http://127.0.0.1:{closed} unreachable: ConnectError within 3 s"
    ]


def test_a_collection_that_fails_inside_its_flow_still_prints_exactly_one_line(
    folder: Path, tmp_path: Path
) -> None:
    """The probe passes (503 is left to the retries), the flow fails: one line, and no DuckDB
    "nanobind: leaked" report at exit from the failed step's connection kept by Prefect."""
    with serve_in_background(folder, TOKEN, faults="503=1.0,seed=1") as url:
        code, _, err = _finish(
            _collect_cli(url, tmp_path / "w.duckdb", _cli_env(UNIONFLOW_PORTAL_MAX_ATTEMPTS="2"))
        )
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("unionflow: error: portal ") and "kept failing after 2 attempts" in lines[0]


def test_a_missing_token_is_a_clear_error(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNIONFLOW_PORTAL_TOKEN")
    with serve_in_background(folder, TOKEN) as url, pytest.raises(SourceError) as failure:
        collect(year=YEAR, source=url, db=str(tmp_path / "warehouse.duckdb"))
    assert str(failure.value) == (
        "no portal token: set UNIONFLOW_PORTAL_TOKEN or create the Prefect Secret block "
        "unionflow-portal-token"
    )
    assert not isinstance(failure.value, PortalAuthError)


def test_without_the_variable_the_token_is_what_the_fallback_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNIONFLOW_PORTAL_TOKEN", raising=False)
    assert resolve_token(fallback=lambda: " from-the-block ") == "from-the-block"


def test_the_token_never_appears(folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "warehouse.duckdb"
    prefect_logger = logging.getLogger("prefect")
    prefect_logger.addHandler(caplog.handler)  # Prefect's loggers do not propagate to the root
    try:
        with (
            caplog.at_level(logging.DEBUG),
            caplog.at_level(logging.DEBUG, logger="prefect"),
            serve_in_background(folder, TOKEN, faults=ALL_FAULTS) as url,
        ):
            collect(year=YEAR, source=url, db=str(db))
            with pytest.raises(PortalAuthError) as refused, pytest.MonkeyPatch.context() as patch:
                patch.setenv("UNIONFLOW_PORTAL_TOKEN", "not-" + TOKEN)
                collect(year=YEAR, source=url, db=str(db))
    finally:
        prefect_logger.removeHandler(caplog.handler)
    if not CLI_OUTPUT:  # run on its own: still check what the command line prints
        with serve_in_background(folder, TOKEN) as url:
            _finish(_collect_cli(url, tmp_path / "cli.duckdb", _cli_env()))
    captured = [caplog.text, str(refused.value), repr(refused.value), *CLI_OUTPUT]
    captured += [record.getMessage() for record in caplog.records]
    assert any("landed" in text or "received" in text for text in captured)
    with open_warehouse(db, read_only=True) as conn:
        captured += [str(row) for row in run(conn, "select distinct source from raw_payloads")]
        captured += [str(row) for row in run(conn, "select * from collection_runs")]
        captured += [str(row) for row in run(conn, "select * from collection_cursors")]
        captured += [str(row) for row in run(conn, "select * from collection_counts")]
    for text in captured:
        assert TOKEN not in text
