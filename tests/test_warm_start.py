"""The demo's own temporary Prefect API server: started first, used by its flow runs, stopped after."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)

from flows.warm_start import TemporaryApi, TemporaryApiError, flow_runs_on, temporary_api
from tests.test_cli import unionflow_process


def test_nothing_is_started_when_a_prefect_server_is_configured(tmp_path: Path) -> None:
    configured = temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"})
    with configured, temporary_api(tmp_path / "log") as api:
        assert api is None
    assert not (tmp_path / "log").exists()


def test_flow_runs_keep_their_heartbeats_without_a_temporary_server() -> None:
    # The test run's own flow runs send none (tests/conftest.py): set Prefect's default here.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}), flow_runs_on(None):
        assert get_current_settings().flows.heartbeat_frequency == 180


def test_a_server_that_exits_while_starting_is_one_clear_error_naming_its_log(tmp_path: Path) -> None:
    log = tmp_path / "prefect-server.log"
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    api = TemporaryApi(process=process, url="http://127.0.0.1:9/api", log=log)
    with pytest.raises(TemporaryApiError, match=r"exited with code 3; see .*prefect-server\.log"):
        api.wait_until_ready(timeout=30)


def test_the_demo_runs_on_its_own_server_stops_it_and_writes_nothing_to_stderr(
    tmp_path: Path, migrated_prefect_database: Path
) -> None:
    out, home = tmp_path / "demo", tmp_path / "home"
    # Prefect's database under PREFECT_HOME as every demo after the first finds it: migrated. The
    # one-time migrations (about 10 s) are Prefect's own; this test is of the demo.
    home.mkdir()
    shutil.copyfile(migrated_prefect_database, home / "prefect.db")
    # No configured API (the test run's server is not offered): the demo starts and stops its own.
    env: dict[str, str | None] = {"PREFECT_HOME": str(home), "PREFECT_API_URL": None}
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


def test_a_temporary_server_that_misses_its_start_up_deadline_is_one_line_naming_its_log(
    tmp_path: Path, synthetic_year: Path
) -> None:
    # A server that never finishes booting, whatever the machine's load: an interpreter start-up
    # hook (sitecustomize, seen by the server process only) holds `prefect server start` for a
    # minute. Without it a loaded machine's slow imports can outlast a fast server's boot.
    hook = tmp_path / "slow-boot"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import time\n"
        "with open('/proc/self/cmdline', 'rb') as f:\n"
        "    if b'server\\x00start' in f.read():\n"
        "        time.sleep(60)\n",
        encoding="utf-8",
    )
    env: dict[str, str | None] = {
        "PREFECT_API_URL": None,
        "UNIONFLOW_PREFECT_STARTUP_SECONDS": "1",
        "PYTHONPATH": str(hook),
    }
    result = unionflow_process(
        "collect",
        "--year",
        "2025",
        "--source",
        str(synthetic_year),
        "--db",
        str(tmp_path / "w.duckdb"),
        env=env,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "temporary Prefect API server did not answer within 1 s; see " in lines[0]
    log = Path(re.search(r"see (\S+prefect-server\.log)", lines[0]).group(1))  # type: ignore[union-attr]
    assert log.is_file()  # kept for whoever has to find out why


def test_a_configured_server_that_does_not_answer_is_one_line(tmp_path: Path, synthetic_year: Path) -> None:
    result = unionflow_process(
        "collect", "--year", "2025", "--source", str(synthetic_year), "--db", str(tmp_path / "w.duckdb"),
        env={"PREFECT_API_URL": "http://127.0.0.1:9/api"},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "unionflow: error: the Prefect API at http://127.0.0.1:9/api (PREFECT_API_URL) did not answer within "
        "5 s; start it, or unset PREFECT_API_URL to let unionflow start a temporary one"
    ]


def test_an_api_url_set_in_the_active_prefect_profile_counts_as_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.warm_start import configured_api_url

    (tmp_path / "profiles.toml").write_text(
        'active = "office"\n[profiles.office]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert configured_api_url() == "http://10.0.0.5:4200/api"
