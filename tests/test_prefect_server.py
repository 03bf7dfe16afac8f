"""prefect.yaml against a real Prefect server on PostgreSQL: deploy, read back, run deployments on a worker.

Prefect silently drops keys it does not know in prefect.yaml, so the only trustworthy check of the
deployments is to deploy them to a real server and read them back through the API. The server is
this module's own `prefect server start` on a real PostgreSQL (tests/postgres.py: a throwaway
cluster from Debian's package, which `make test` installs), as docs/operations.md runs it in
production; the work pool, the deploy and the worker are started with the commands of
docs/operations.md, each in its own PREFECT_HOME, and stopped by process group at the end.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from flows.warm_start import TemporaryApi, TemporaryApiError
from tests.postgres import Cluster, PostgresUnavailable

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PREFECT = [sys.executable, "-m", "prefect"]
YEAR = 2025
TZ = "Asia/Shanghai"
EXPECTED_SCHEDULES = {
    "unionflow-collect/collect": ["0 2 * 12,1 *"],
    "unionflow-validate/validate": ["0 3 * 12,1 *"],
    "unionflow-annual-assessment/annual-assessment": ["0 9 20 1 *"],
    "unionflow-publish/publish": [],
}
#: Prefect's role and database on the module's PostgreSQL (the names docs/operations.md uses).
PREFECT_DB = "prefect"
PREFECT_DB_PASSWORD = "prefect_test_only"
#: A loaded 2-core machine can take a minute to boot the server and migrate an empty database.
SERVER_STARTUP_SECONDS = 180.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, chars: int = 4000) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no log)"
    return text[-chars:]


class Stack:
    """The server and worker processes of one test, with their logs for failure messages."""

    def __init__(self, home: Path, api_url: str) -> None:
        self.home = home
        self.api_url = api_url
        self.env = {
            **os.environ,
            "PREFECT_HOME": str(home),
            "PREFECT_PROFILES_PATH": str(home / "profiles.toml"),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_CLI_PROMPT": "false",
            # No UI to build, and no scheduler: the December/January crons must not create runs
            # that the worker would pick up if this test happened to run at 02:00 in Shanghai.
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_LOGGING_LEVEL": "INFO",
        }
        self.env.pop("UNIONFLOW_ALERT_WEBHOOK", None)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: dict[str, Path] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.home / f"{name}.log"
        self.logs[name] = log
        handle = log.open("wb")
        process = subprocess.Popen(
            [*PREFECT, *args],
            cwd=REPO,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so all its children stop with it
        )
        handle.close()
        self.processes.append(process)
        return process

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*PREFECT, *args], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, (
            f"prefect {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}\n{self.diagnostics()}"
        )
        return result

    def diagnostics(self) -> str:
        return "\n".join(f"--- {name} log (tail) ---\n{_tail(path)}" for name, path in self.logs.items())

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        # A short grace: the server's graceful shutdown waits on open connections, and nothing of
        # a throwaway server needs saving (it cost 20 s of every run's teardown).
        for process in reversed(self.processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the module, with Prefect's role and database on it."""
    try:
        cluster = Cluster.start()
    except PostgresUnavailable as why:
        if os.environ.get("CI"):  # CI installs it (make test): there a missing PostgreSQL fails
            pytest.fail(f"{why}, although CI runs scripts/install-postgresql.sh")
        pytest.skip(str(why))
    try:
        cluster.create_database(PREFECT_DB, PREFECT_DB, PREFECT_DB_PASSWORD)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def stack(postgres: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A server on PostgreSQL with the work pool created, a worker polling it and prefect.yaml deployed."""
    port = _free_port()
    stack = Stack(tmp_path_factory.mktemp("prefect-home"), f"http://127.0.0.1:{port}/api")
    stack.env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = postgres.url(
        PREFECT_DB, PREFECT_DB, PREFECT_DB_PASSWORD
    )
    try:
        # Services on (automations, late runs, …) except the scheduler (see Stack.env).
        server = stack.start(
            "server", "server", "start", "--no-ui", "--host", "127.0.0.1", "--port", str(port)
        )
        try:  # the first start on an empty database runs every migration
            TemporaryApi(server, stack.api_url, stack.logs["server"]).wait_until_ready(SERVER_STARTUP_SECONDS)
        except TemporaryApiError as why:
            pytest.fail(f"{why}\n{stack.diagnostics()}")
        stack.cli("work-pool", "create", "unionflow-process", "--type", "process")
        # The worker boots (imports, first poll) while the limit is set and the deployments made,
        # and those two run side by side: each CLI call spends most of its time importing Prefect.
        stack.start("worker", "worker", "start", "--pool", "unionflow-process")
        with ThreadPoolExecutor(max_workers=2) as pool:
            limit = pool.submit(stack.cli, "work-pool", "set-concurrency-limit", "unionflow-process", "1")
            deploy = pool.submit(stack.cli, "--no-prompt", "deploy", "--all")
            limit.result(), deploy.result()
        yield stack
    finally:
        stack.stop()


@contextlib.contextmanager
def client_of(stack: Stack) -> Iterator[Any]:
    """A synchronous Prefect client talking to the test's server (not the session harness)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack.api_url}), get_client(sync_client=True) as client:
        yield client


def test_deployments_read_back_from_the_server_have_the_spec_schedules_and_limits(stack: Stack) -> None:
    with client_of(stack) as client:
        for name, crons in EXPECTED_SCHEDULES.items():
            deployment = client.read_deployment_by_name(name)
            schedules = [s.schedule for s in deployment.schedules]
            assert [s.cron for s in schedules] == crons, name
            assert all(s.timezone == TZ for s in schedules), name
            assert all(s.active for s in deployment.schedules), name
            assert deployment.work_pool_name == "unionflow-process", name
            assert deployment.global_concurrency_limit is not None, name
            assert deployment.global_concurrency_limit.limit == 1, name
            assert deployment.concurrency_options is not None, name
            assert deployment.concurrency_options.collision_strategy.value == "ENQUEUE", name
            assert {"unionflow", "warehouse-writer"} <= set(deployment.tags), name
            assert deployment.parameters["db"] == "unionflow.duckdb", name
            assert deployment.enforce_parameter_schema, name
            schema = deployment.parameter_openapi_schema
            assert "year" in schema["required"], name
        annual = client.read_deployment_by_name("unionflow-annual-assessment/annual-assessment")
        assert annual.parameters["year"] == "previous"
        publish = client.read_deployment_by_name("unionflow-publish/publish")
        assert "year" not in publish.parameters  # manual: the year is always given
        pool = client.read_work_pool("unionflow-process")
        assert pool.type == "process"
        assert pool.concurrency_limit == 1


def test_the_server_refuses_a_run_whose_year_is_text(stack: Stack, tmp_path: Path) -> None:
    from prefect.exceptions import PrefectHTTPStatusError

    params = {"year": "2025", "source": str(tmp_path), "out": str(tmp_path), "db": str(tmp_path / "w.duckdb")}
    with client_of(stack) as client:
        deployment = client.read_deployment_by_name("unionflow-annual-assessment/annual-assessment")
        with pytest.raises(PrefectHTTPStatusError, match=r"409|422|[Vv]alidation"):
            client.create_flow_run_from_deployment(deployment.id, parameters=params)


def test_a_run_that_overrides_one_parameter_keeps_the_deployments_other_defaults(stack: Stack) -> None:
    import datetime as dt

    from prefect.states import Scheduled

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)  # never picked up by the worker
    with client_of(stack) as client:
        deployment = client.read_deployment_by_name("unionflow-publish/publish")
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"year": YEAR}, state=Scheduled(scheduled_time=later)
        )
        try:
            parameters = client.read_flow_run(run.id).parameters
        finally:
            client.delete_flow_run(run.id)
    assert parameters == {
        "year": YEAR,
        "db": "unionflow.duckdb",
        "lock_wait_seconds": 1800,
        "out": "out/{year}",
    }


def _finished(client: Any, stack: Stack, run: Any, seconds: float) -> Any:
    """The flow run once it reaches a final state (the worker runs it), or as it is at the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = client.read_flow_run(run.id)
        if run.state is not None and run.state.is_final():
            break
        time.sleep(2)
    state = run.state
    assert state is not None and state.is_completed(), (
        f"flow run ended {state.type if state else None}: {state.message if state else ''}\n"
        f"{stack.diagnostics()}"
    )
    return run


def test_a_worker_runs_the_collect_deployment_into_the_warehouse(stack: Stack, tmp_path: Path) -> None:
    from unionflow.synth import synthesize
    from warehouse.connection import open_warehouse
    from warehouse.sql import run as run_sql

    source, db = tmp_path / "source", tmp_path / "w.duckdb"
    synthesize(source, units=30, year=YEAR, seed=11)
    with client_of(stack) as client:
        deployment = client.read_deployment_by_name("unionflow-collect/collect")
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"year": YEAR, "source": str(source), "db": str(db)}
        )
        _finished(client, stack, run, 240)
    with open_warehouse(db, read_only=True) as conn:
        units = run_sql(conn, "select count(*) from units")
        submissions = run_sql(conn, "select count(distinct year), count(*) from submissions")
    assert units[0][0] > 0
    assert submissions[0][0] == 1 and submissions[0][1] > 0


def test_a_worker_runs_the_annual_deployment_end_to_end(stack: Stack, tmp_path: Path) -> None:
    from prefect.client.schemas.objects import StateType

    from unionflow.synth import synthesize

    source, out, db = tmp_path / "source", tmp_path / "out", tmp_path / "w.duckdb"
    synthesize(source, units=60, year=YEAR, seed=7)
    params = {"year": YEAR, "source": str(source), "out": str(out), "db": str(db)}
    with client_of(stack) as client:
        deployment = client.read_deployment_by_name("unionflow-annual-assessment/annual-assessment")
        run = client.create_flow_run_from_deployment(deployment.id, parameters=params)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            run = client.read_flow_run(run.id)
            if run.state is not None and run.state.is_final():
                break
            time.sleep(2)
        state = run.state
        assert state is not None and state.type == StateType.COMPLETED, (
            f"flow run ended {state.type if state else None}: {state.message if state else ''}\n"
            f"{stack.diagnostics()}"
        )
    assert (out / "scores.csv").is_file() and (out / "allocations.csv").is_file()
    rows = list(csv.DictReader(io.StringIO((out / "allocations.csv").read_bytes()[3:].decode("utf-8"))))
    assert rows[-1]["year"] == "TOTAL" and int(rows[-1]["amount_cny"]) > 0

    from warehouse.connection import open_warehouse
    from warehouse.sql import run as run_sql

    with open_warehouse(db, read_only=True) as conn:
        statuses = run_sql(conn, "select status from allocation_runs where year = ?", [YEAR])
        scores = run_sql(conn, "select count(*) from scores where year = ?", [YEAR])
    assert statuses == [("published",)]
    assert scores[0][0] > 0


# --- The rescore automation (issue 19): a steward's release re-scores the year on the server ----------
#
# Automations need the server's services (triggers and actions): `stack` runs them (all but the
# scheduler), and `deploy --all` made `rescore` with its trigger, so these tests use the same server.


def test_the_rescore_trigger_read_back_from_the_server_expects_the_decision_event(stack: Stack) -> None:
    from flows.events import DECISION_EVENT

    with client_of(stack) as client:
        deployment = client.read_deployment_by_name("unionflow-rescore/rescore")
        (automation,) = [
            a
            for a in client.read_automations()
            if any(getattr(action, "deployment_id", None) == deployment.id for action in a.actions)
        ]
    assert automation.enabled
    assert automation.trigger.expect == {DECISION_EVENT}
    assert automation.trigger.match.root == {"prefect.resource.id": "unionflow.year.*"}
    (action,) = automation.actions
    assert set(action.parameters) == {"year", "db"}
    assert "event.payload.year" in json_text(action.parameters["year"])
    assert deployment.schedules == []
    assert deployment.global_concurrency_limit is not None and deployment.global_concurrency_limit.limit == 1


def json_text(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True)


@pytest.mark.timeout(600)  # an annual run, a release and the worker's rescore run, on a loaded machine
def test_the_automation_rescores_after_a_release_on_the_real_server(stack: Stack, tmp_path: Path) -> None:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.objects import StateType

    from flows.annual import annual_assessment
    from tests.test_status import releasable_late_submission
    from unionflow.synth import synthesize
    from warehouse.connection import open_warehouse
    from warehouse.freshness import year_status
    from warehouse.score_runs import latest_score_run

    source, out, db = tmp_path / "source", tmp_path / "out", tmp_path / "w.duckdb"
    synthesize(source, units=60, year=YEAR, seed=7)
    annual_assessment(year=YEAR, source=str(source), out=str(out), db=str(db))  # on the run's server
    with open_warehouse(db, read_only=True) as conn:
        before = latest_score_run(conn, YEAR)
    assert before is not None
    quarantine_id = releasable_late_submission(db)

    released = subprocess.run(
        [sys.executable, "-m", "flows", "quarantine", "release", str(quarantine_id), "--reason",
         "extension granted", "--by", "steward", "--db", str(db)],
        cwd=REPO, env=stack.env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert released.returncode == 0, released.stderr
    assert "now accepted" in released.stdout and "rescore deployment" in released.stdout, released.stdout

    with client_of(stack) as client:
        deployment = client.read_deployment_by_name("unionflow-rescore/rescore")
        only_rescore = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        deadline, runs = time.monotonic() + 420, []
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(deployment_filter=only_rescore)
            if runs and all(r.state is not None and r.state.is_final() for r in runs):
                break
            time.sleep(2)
    assert len(runs) == 1, f"expected one rescore run, got {len(runs)}\n{stack.diagnostics()}"
    (run,) = runs
    assert run.state is not None and run.state.type == StateType.COMPLETED, (
        f"rescore ended {run.state.type if run.state else None}: {run.state.message if run.state else ''}\n"
        f"{stack.diagnostics()}"
    )
    assert run.parameters["year"] == YEAR and run.parameters["db"] == str(db.resolve())

    with open_warehouse(db, read_only=True) as conn:
        after = latest_score_run(conn, YEAR)
        states = {stage.stage: stage.state for stage in year_status(conn, YEAR)}
        published = conn.sql(
            "select status from allocation_runs where year = ? order by allocation_run_id", params=[YEAR]
        ).fetchall()
    assert after is not None and after.score_run_id != before.score_run_id
    assert after.input_hash != before.input_hash
    # Scores and the draft allocation are current again; the publication stays a person's decision.
    assert (states["scored"], states["allocated"], states["published"]) == ("done", "done", "stale")
    assert [status for (status,) in published] == ["published", "draft"]
    shown = subprocess.run(
        [sys.executable, "-m", "flows", "status", "--year", str(YEAR), "--db", str(db)],
        cwd=REPO, env=stack.env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "stale: published" in shown.stdout, shown.stdout
