"""One warehouse writer at a time, reads during a write, and recovery from a killed collection.

The CLI runs here are real processes (`python -m flows …`) on one warehouse file. They talk to the
session's Prefect test server instead of starting an ephemeral one each, which saves ~10 s a run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import YEAR, lock_held
from warehouse.connection import WarehouseLocked, open_warehouse
from warehouse.snapshot import open_for_reading, refresh_snapshot, snapshot_path
from warehouse.sql import run

REPO = Path(__file__).resolve().parents[1]
LOCK_MESSAGE = "in use by another unionflow process"


@pytest.fixture(scope="module")
def child_env(prefect_harness: None) -> dict[str, str]:
    """Environment for CLI subprocesses: the session's Prefect server, quiet defaults."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    env.pop("UNIONFLOW_DB", None)
    return env


def unionflow(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flows", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"unionflow did not finish in {timeout} s:\n{out[-2000:]}\n{err[-2000:]}")
    return process.returncode, out, err


def reconciliation_holds(db: Path) -> None:
    with open_warehouse(db, read_only=True) as conn:
        broken = run(
            conn,
            "select * from collection_counts"
            " where received <> accepted + quarantined + superseded + replayed",
        )
        assert run(conn, "select count(*) from collection_counts")[0][0] > 0
    assert broken == []


@pytest.mark.slow
def test_two_annual_runs_on_one_warehouse_one_wins_the_other_is_told_why(
    child_env: dict[str, str], synthetic_year: Path, tmp_path: Path
) -> None:
    db = tmp_path / "shared.duckdb"
    args = ("run", "--year", str(YEAR), "--source", str(synthetic_year))
    runs = [
        unionflow(child_env, *args, "--out", str(tmp_path / f"out{number}"), "--db", str(db))
        for number in (1, 2)
    ]
    results = [finish(process) for process in runs]
    codes = sorted(code for code, _, _ in results)
    detail = "\n".join(
        f"exit {code}\nstdout: {out[-1500:]}\nstderr: {err[-1500:]}" for code, out, err in results
    )
    # Both start at once, so their writes overlap: DuckDB lets exactly one process write.
    assert codes == [0, 2], detail
    winner = next(number for number, (code, _, _) in enumerate(results, start=1) if code == 0)
    loser_err = next(err for code, _, err in results if code == 2)
    assert loser_err.strip().count("\n") == 0 and LOCK_MESSAGE in loser_err, loser_err
    assert "Traceback" not in loser_err

    assert (tmp_path / f"out{winner}" / "allocations.csv").is_file()
    reconciliation_holds(db)
    with open_warehouse(db) as conn:  # opens for writing: nothing left locked or half-written
        run(conn, "checkpoint")
        published = run(
            conn, "select count(*) from allocation_runs where year = ? and status = 'published'", [YEAR]
        )
        scored = run(conn, "select count(*) from scores where year = ?", [YEAR])
        running = run(conn, "select count(*) from collection_runs where status = 'running'")
    assert published == [(1,)] and scored[0][0] > 0 and running == [(0,)]


@pytest.fixture(scope="module")
def big_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from unionflow.synth import synthesize

    folder = tmp_path_factory.mktemp("big") / "source"
    synthesize(folder, units=10_000, year=YEAR, seed=99)
    return folder


def contents(db: Path) -> Iterator[tuple[str, pd.DataFrame]]:
    """Every loaded record, without the ids that depend on how often a payload was received."""
    queries = {
        "units": "select * exclude (payload_id) from units order by all",
        "submissions": "select * exclude (payload_id) from submissions order by all",
        "reviews": "select * exclude (payload_id) from reviews order by all",
        "quarantine": "select record_kind, source_ref, unit_id, year, rule, message"
        " from quarantine order by all",
    }
    with open_warehouse(db, read_only=True) as conn:
        for name, sql in queries.items():
            yield name, conn.sql(sql).df()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@pytest.mark.slow
def test_a_collection_killed_while_loading_converges_when_run_again(
    child_env: dict[str, str], big_year: Path, tmp_path: Path
) -> None:
    from flows.collect import collect

    clean, killed = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"
    args = ("collect", "--year", str(YEAR), "--source", str(big_year))
    # The reference: the same collection, never interrupted (in this process: only the killed
    # collection and its rerun need to be real processes).
    collect(year=YEAR, source=str(big_year), db=str(clean))

    # Kill once loading is well under way: the first landing has been checkpointed into the file
    # (it grew past the empty schema) and the write-ahead log is filling with the next one.
    empty_size = 1_000_000
    victim = unionflow(child_env, *args, "--db", str(killed))
    wal = killed.with_name(killed.name + ".wal")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and victim.poll() is None:
        if _size(killed) > empty_size and _size(wal) > 1_000_000:
            break
        time.sleep(0.02)
    assert victim.poll() is None, "the collection finished before it could be killed; make the year bigger"
    os.killpg(victim.pid, signal.SIGKILL)
    victim.communicate()
    assert victim.returncode == -signal.SIGKILL

    code, out, err = finish(unionflow(child_env, *args, "--db", str(killed)))
    assert code == 0, err
    assert "submissions: received" in out
    for (name, expected), (_, actual) in zip(contents(clean), contents(killed), strict=True):
        pd.testing.assert_frame_equal(actual, expected, obj=name)
    reconciliation_holds(killed)


def test_readers_fall_back_to_the_snapshot_while_another_process_writes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as conn:
        run(conn, "insert into score_runs values (1, 2025, 'trimmed', 'c', 'i', now())")
        taken = refresh_snapshot(conn)
    assert taken == snapshot_path(db)
    with lock_held(db):
        with pytest.raises(WarehouseLocked):
            open_warehouse(db, read_only=True).__enter__()
        with open_for_reading(db) as source:
            assert source.from_snapshot and source.taken_at is not None
            assert "snapshot" in (source.notice() or "")
            assert run(source.conn, "select count(*) from score_runs") == [(1,)]
    with open_for_reading(db) as source:
        assert not source.from_snapshot and source.notice() is None


def test_without_a_snapshot_a_locked_warehouse_says_so(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    open_warehouse(db).__enter__().close()
    with lock_held(db), pytest.raises(WarehouseLocked, match="no read snapshot"):
        open_for_reading(db)


@pytest.mark.parametrize("settled", [True, False], ids=["byte copy", "table copy"])
def test_the_snapshot_holds_every_committed_row_of_the_live_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: bool
) -> None:
    import warehouse.copies

    if not settled:  # changes left in the WAL after a checkpoint: a fault DuckDB gives no way to cause
        monkeypatch.setattr(warehouse.copies, "settled", lambda conn, db: False)
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as conn:
        run(conn, "insert into score_runs values (1, 2025, 'trimmed', 'c', 'i', now())")
        writer = conn.cursor()  # another transaction, still open: its row is not committed
        writer.begin()
        writer.execute("insert into score_runs values (2, 2025, 'trimmed', 'c', 'i', now())")
        taken = refresh_snapshot(conn)
        tables = run(conn, "select table_name from duckdb_tables() where database_name = current_database()")
        writer.rollback()
    with open_warehouse(taken, read_only=True) as copy:
        assert run(copy, "select score_run_id from score_runs") == [(1,)]
        copied = run(copy, "select table_name from duckdb_tables() where database_name = current_database()")
        assert sorted(copied) == sorted([*tables, ("unionflow_snapshot",)])
        assert run(copy, "select source_db from unionflow_snapshot") == [(str(db),)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.snapshot.duckdb"]
