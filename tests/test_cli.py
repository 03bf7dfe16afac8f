"""The command line's promises (SPEC section 3): exit codes and one clear line for user mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REGISTRY, unit_record


def unionflow(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "flows", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_an_unknown_flag_exits_2() -> None:
    result = unionflow("collect", "--year", "2025", "--source", "x", "--bogus")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_a_missing_source_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = unionflow(
        "collect", "--year", "2025", "--source", str(tmp_path / "nowhere"), "--db", str(tmp_path / "w.duckdb")
    )
    assert_one_clear_line(result, "source folder", "does not exist")


def test_a_locked_warehouse_is_one_line_and_exit_2(tmp_path: Path) -> None:
    from warehouse.connection import connect

    db = tmp_path / "w.duckdb"
    holder = connect(db)  # this test process is the other writer
    try:
        result = unionflow("collect", "--year", "2025", "--source", str(tmp_path), "--db", str(db))
    finally:
        holder.close()
    assert_one_clear_line(result, "in use by another unionflow process")


def test_a_bad_config_names_the_key_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("version = 1\n[allocation]\nfloor = 30000\n", encoding="utf-8")
    result = unionflow("score", "--year", "2025", "--config", str(config), "--db", str(tmp_path / "w.duckdb"))
    assert_one_clear_line(result, "allocation.floor")


def test_a_budget_that_is_not_a_multiple_of_the_step_exits_2(tmp_path: Path) -> None:
    result = unionflow(
        "allocate", "--year", "2025", "--budget", "1000050", "--db", str(tmp_path / "w.duckdb")
    )
    assert_one_clear_line(result, "allocation.budget")


def test_allocating_a_year_never_scored_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = unionflow("allocate", "--year", "2025", "--db", str(tmp_path / "w.duckdb"))
    assert_one_clear_line(result, "has not been scored")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = unionflow("--debug", "collect", "--year", "2025", "--source", str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_db_defaults_to_the_environment_variable(tmp_path: Path) -> None:
    registry = tmp_path / "units.csv"
    header = ",".join(unit_record())
    registry.write_text(
        header + "\n" + ",".join(unit_record(REGISTRY[1][0]).values()) + "\n", encoding="utf-8"
    )
    result = unionflow("units", "import", str(registry), env={"UNIONFLOW_DB": str(tmp_path / "env.duckdb")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env.duckdb").exists()


@pytest.mark.parametrize(
    "command", ["collect", "run", "score", "allocate", "publish", "synth", "demo", "units", "quarantine"]
)
def test_every_command_has_help(command: str) -> None:
    assert unionflow(command, "--help").returncode == 0


def test_publishing_a_different_allocation_without_supersede_exits_2(tmp_path: Path, loaded_db: Path) -> None:
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(loaded_db, db)
    out = str(tmp_path / "out")
    for step in (["score"], ["allocate"], ["publish", "--out", out], ["allocate", "--budget", "900000"]):
        result = unionflow(*step, "--year", "2025", "--db", str(db))
        assert result.returncode == 0, result.stderr
    refused = unionflow("publish", "--year", "2025", "--out", out, "--db", str(db))
    assert_one_clear_line(refused, "already published", "--supersede")
    replaced = unionflow(
        "publish", "--year", "2025", "--out", out, "--db", str(db), "--supersede", "budget cut"
    )
    assert replaced.returncode == 0, replaced.stderr
    assert "superseding run 1" in replaced.stdout


def test_run_with_a_relative_out_folder_publishes_and_builds_data_docs(
    tmp_path: Path, synthetic_year: Path
) -> None:
    # `make demo` passes a relative --out; Great Expectations' stores need absolute folders.
    result = unionflow(
        "run",
        "--year",
        "2025",
        "--source",
        str(synthetic_year),
        "--out",
        "out",
        "--db",
        "w.duckdb",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "validation" / "index.html").is_file()
    assert (tmp_path / "out" / "scores.csv").is_file()
