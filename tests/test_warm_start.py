"""The demo's own temporary Prefect API server: started first, used by its flow runs, stopped after."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from flows.warm_start import TemporaryApi, TemporaryApiError, flow_runs_on, temporary_api
from tests.test_cli import unionflow_process


def test_nothing_is_started_when_a_prefect_server_is_configured(tmp_path: Path) -> None:
    configured = temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"})
    with configured, temporary_api(tmp_path / "log") as api:
        assert api is None
    assert not (tmp_path / "log").exists()


def test_flow_runs_keep_their_heartbeats_without_a_temporary_server() -> None:
    before = get_current_settings().flows.heartbeat_frequency
    assert before is not None
    with flow_runs_on(None):
        assert get_current_settings().flows.heartbeat_frequency == before


def test_a_server_that_exits_while_starting_is_one_clear_error_naming_its_log(tmp_path: Path) -> None:
    log = tmp_path / "prefect-server.log"
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    api = TemporaryApi(process=process, url="http://127.0.0.1:9/api", log=log)
    with pytest.raises(TemporaryApiError, match=r"exited with code 3; see .*prefect-server\.log"):
        api.wait_until_ready(timeout=30)


def test_the_demo_runs_on_its_own_server_stops_it_and_writes_nothing_to_stderr(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    # No configured API (the test run's server is not offered): the demo starts and stops its own.
    env: dict[str, str | None] = {"PREFECT_HOME": str(tmp_path / "home"), "PREFECT_API_URL": None}
    result = unionflow_process("demo", "--units", "30", "--out", str(out), env=env)

    assert result.returncode == 0, result.stderr
    # Nothing at all: no warning, no traceback, and no "nanobind: leaked …" from DuckDB at exit
    # (flow runs without heartbeats must not keep a task run's warehouse connection alive).
    assert result.stderr == ""
    for name in ("scores.csv", "allocations.csv", "report.html", "report.xlsx"):
        assert (out / name).is_file()
    log = (out / "prefect-server.log").read_text()
    url = re.search(r"PREFECT_API_URL=http://127\.0\.0\.1:(\d+)/api", log)
    assert url is not None
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(url.group(1)))) != 0, "the server was left running"
