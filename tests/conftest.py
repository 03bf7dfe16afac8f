"""Shared fixtures: real DuckDB files in temporary folders, a real Prefect test harness."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

from tasks.collect import default_deadline, validate_kind
from unionflow.sources.payloads import RecordBatch, RecordKind
from warehouse.collections import start_collection
from warehouse.connection import open_warehouse
from warehouse.payloads import land

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

YEAR = 2025

REGISTRY = [
    # unit_id, level, district, active_from, active_to
    ("BT-C-0001", "city", "昆都仑区", 2021, None),
    ("BT-C-0002", "city", "青山区", 2021, None),
    ("BT-X-0003", "county", "昆都仑区", 2022, None),
    ("BT-X-0004", "county", "东河区", 2021, 2023),
]


def unit_record(unit_id: str = "BT-C-0001", **changes: Any) -> dict[str, Any]:
    """A registry row that passes the unit contract, with `changes` applied."""
    row = next((r for r in REGISTRY if r[0] == unit_id), REGISTRY[0])
    record: dict[str, Any] = {
        "unit_id": unit_id,
        "name": "包头钢铁(集团)有限责任公司稀土钢板材厂",
        "level": row[1],
        "batch": "1",
        "sector": "regional_soe",
        "district": row[2],
        "parent_union": "包头市总工会",
        "active_from": str(row[3]),
        "active_to": "" if row[4] is None else str(row[4]),
    }
    record.update(changes)
    return record


def submission_record(**changes: Any) -> dict[str, Any]:
    """A submission that passes every contract rule, with `changes` applied (None removes a field)."""
    record: dict[str, Any] = {
        "submission_id": "S2025-000001",
        "unit_id": "BT-C-0001",
        "year": YEAR,
        "submitted_at": "2025-12-20T10:00:00+08:00",
        "employees": 1200,
        "union_members": 1100,
        "training_sessions": 24,
        "trainees": 1800,
        "skill_upgrades": 96,
        "competitions": 6,
        "competition_participants": 320,
        "competition_finalists": 40,
        "studios": 3,
        "studios_city_level": 1,
        "innovation_results": 12,
        "innovation_value_cny": 1543000.5,
        "proposals_submitted": 210,
        "proposals_adopted": 160,
        "craftsmen_honors": 2,
        "service_activities": 30,
        "workers_served": 2400,
        "summary": "全年开展职工技能培训24场。",
    }
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def review_record(**changes: Any) -> dict[str, Any]:
    """A review that passes every contract rule, with `changes` applied (None removes a field)."""
    record: dict[str, Any] = {
        "review_id": "R2025-0000001",
        "year": YEAR,
        "reviewer_unit_id": "BT-C-0002",
        "reviewee_unit_id": "BT-C-0001",
        "guidance": 82,
        "skills": 85,
        "innovation": 79,
        "institution": 88,
        "service": 84,
        "submitted_at": "2025-12-28T15:30:00+08:00",
        "comment": "培训体系完善",
    }
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per test run, shared by every xdist worker.

    Expensive read-only inputs (a published year costs an annual run) are built by whichever
    worker asks first, under an exclusive lock; the others wait on the lock instead of building
    their own copy, then read the same folder. A failed build leaves no marker: the next asker retries.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above every worker's own
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture
def fresh_db(tmp_path: Path) -> Path:
    """Path of a warehouse file that does not exist yet."""
    return tmp_path / "warehouse.duckdb"


def _batch(kind: RecordKind, items: list[Any]) -> RecordBatch:
    batch = RecordBatch(kind)
    for number, item in enumerate(items, start=1):
        payload = item if isinstance(item, str) else orjson.dumps(item).decode()
        batch.add(f"test#item={number}", payload)
    return batch


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the validated four-unit registry of REGISTRY, made once (never write it).

    Migrating a new file and validating the registry is most of a contract test's time and the
    same work every time; each test gets a byte copy instead (`registry_db`).
    """
    db = tmp_path_factory.mktemp("registry") / "warehouse.duckdb"
    with open_warehouse(db) as conn:
        collection_id = start_collection(conn, None, "test")
        land(
            conn,
            _batch("unit", [unit_record(r[0]) for r in REGISTRY]),
            year=None,
            source="test",
            collection_id=collection_id,
        )
        verdict = validate_kind(conn, "unit", None, None)
    assert verdict.quarantine.empty, verdict.quarantine.to_dict("records")
    assert not db.with_name(db.name + ".wal").exists()  # closed and checkpointed: the file is all of it
    return db


@pytest.fixture
def registry_db(fresh_db: Path, registry_template: Path) -> Path:
    """A warehouse holding the four-unit registry of REGISTRY (this test's own copy)."""
    shutil.copyfile(registry_template, fresh_db)
    return fresh_db


Validate = Callable[..., Any]


@pytest.fixture
def validate(registry_db: Path) -> Validate:
    """Land records of a kind in the registry warehouse and validate them; returns the verdict."""

    def run(kind: RecordKind, *items: Any) -> Any:
        with open_warehouse(registry_db) as conn:
            collection_id = start_collection(conn, YEAR, "test")
            scope = None if kind == "unit" else YEAR
            land(conn, _batch(kind, list(items)), year=scope, source="test", collection_id=collection_id)
            return validate_kind(conn, kind, YEAR, default_deadline(YEAR))

    return run


def rules_of(verdict: Any) -> list[str]:
    """The rule column of every quarantined record, in receipt order."""
    return list(verdict.quarantine.sort_values("payload_id")["rule"])


def status_of(verdict: Any) -> list[str]:
    """The status of every payload, in receipt order."""
    return list(verdict.status.sort_values("payload_id")["status"])


@contextmanager
def lock_held(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the warehouse's write lock for the duration of the block."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom warehouse.connection import connect\nc = connect(sys.argv[1])\n"
         "print('holding', flush=True)\ntime.sleep(120)", str(db)],
        cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        os.killpg(holder.pid, signal.SIGTERM)
        holder.wait(timeout=30)


def pytest_configure(config: pytest.Config) -> None:
    """Start the test run's one Prefect API server (in the xdist controller, or the only process).

    It boots in the background while tests are collected; `PREFECT_API_URL` in the environment
    sends every flow run to it: the xdist workers and every CLI subprocess inherit it, so no flow
    ever starts Prefect's own ephemeral server (slow, and it times out on a loaded machine).
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # a worker: the controller started the server and exported its address
    from flows.warm_start import TemporaryApi

    folder = Path(tempfile.mkdtemp(prefix="unionflow-prefect-"))
    database = folder / "prefect.db"
    template = _database_template(config)
    if template.is_file():
        shutil.copyfile(template, database)
    api = TemporaryApi.start(folder / "prefect-server.log", database=database)
    os.environ["PREFECT_API_URL"] = api.url
    config.stash[_SESSION_API] = (api, folder)
    if not template.is_file():
        # First run here: wait for the server to create its database (every Alembic migration,
        # about 10 s), then keep a consistent copy so later runs start from a migrated one.
        api.wait_until_ready(SERVER_STARTUP_SECONDS)
        template.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(database) as live, sqlite3.connect(template) as copy:
            live.backup(copy)


def _database_template(config: pytest.Config) -> Path:
    """A migrated, empty Prefect database for this Prefect version, kept in pytest's cache folder."""
    from importlib.metadata import version

    return config.rootpath / ".pytest_cache" / "prefect" / f"prefect-{version('prefect')}.db"


@pytest.fixture(scope="session")
def migrated_prefect_database(pytestconfig: pytest.Config) -> Path:
    """The migrated, empty Prefect database of this Prefect version (copy it; never open it)."""
    template = _database_template(pytestconfig)
    assert template.is_file(), "pytest_configure writes it on the first run"
    return template


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the run's Prefect API server and remove its database."""
    started = config.stash.get(_SESSION_API, None)
    if started is None:
        return
    api, folder = started
    api.stop()
    shutil.rmtree(folder, ignore_errors=True)


_SESSION_API = pytest.StashKey[tuple[Any, Path]]()


@pytest.fixture(scope="session", autouse=True)
def prefect_api() -> Iterator[str]:
    """The run's Prefect API server, ready: every test's flow runs go there (never ephemeral).

    The environment already names it (for subprocesses); Prefect read its settings when this
    process imported it, possibly before the address was exported, so it is set here too.

    Flow runs in this process send no heartbeats, as under the demo's temporary server
    (`flows.warm_start.flow_runs_on`): nobody reads them during a test, and each flow run would
    end by joining its heartbeat thread, which sleeps in 1 s steps (about 0.9 s a flow run, six
    per annual run). CLI subprocesses keep Prefect's default, as a user with a configured API does.
    """
    from prefect.context import _temporary_global_settings_context, get_settings_context
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.warm_start import wait_for_api

    url = os.environ["PREFECT_API_URL"]
    wait_for_api(url, timeout=SERVER_STARTUP_SECONDS)
    settings = {PREFECT_API_URL: url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    # One statement, entered left to right: the global context copies the one just set.
    with (
        temporary_settings(updates=settings),
        _temporary_global_settings_context(get_settings_context()),
    ):
        _start_prefect_services()
        yield url
        _drain_prefect_services()


def _start_prefect_services() -> None:
    """Start Prefect's event and log services now, outside any flow or task run.

    Without heartbeats the first sender would be a task run, and the services' long-lived asyncio
    task would keep its contextvars (a warehouse connection among its parameters) until exit;
    see `flows.warm_start.flow_runs_on`, which does the same for the demo.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_LOGGING_TO_API_ENABLED

    EventsWorker.instance()
    if PREFECT_LOGGING_TO_API_ENABLED.value():
        APILogWorker.instance()


def _drain_prefect_services() -> None:
    """Send the logs and events still queued in this process while the server still listens."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with contextlib.suppress(RuntimeError):  # never started in this process
        APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)


#: A loaded 2-core machine can take a minute to boot the server; waiting costs nothing when idle.
SERVER_STARTUP_SECONDS = 180.0


@pytest.fixture(scope="session")
def prefect_harness(prefect_api: str) -> None:
    """Flows in these tests run against the run's Prefect API server (kept for readability)."""


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as comparable records (NaN-free)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@pytest.fixture(scope="session")
def synthetic_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default synthetic year (225 pilot units, 2025, seed 20231) as a source folder."""
    from unionflow.synth import synthesize

    folder = tmp_path_factory.mktemp("synthetic") / "source"
    synthesize(folder, units=225, year=YEAR, seed=20231)
    return folder


@pytest.fixture(scope="session")
def manifest(synthetic_year: Path) -> dict[str, Any]:
    """What the synthetic year planted, as written in its manifest.json."""
    return orjson.loads((synthetic_year / "manifest.json").read_bytes())


@pytest.fixture(scope="session")
def loaded_db(prefect_harness: None, synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after collecting the synthetic year once per test run (read it, don't write it)."""
    from flows.collect import collect

    def build(folder: Path) -> None:
        collect(year=YEAR, source=str(synthetic_year), db=str(folder / "warehouse.duckdb"))

    return built_once(tmp_path_factory, "loaded", build) / "warehouse.duckdb"
