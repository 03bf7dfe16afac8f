"""The command line's promises (SPEC section 3): exit codes and one clear line for user mistakes.

Behaviour is checked in-process (`tests.cli.unionflow` runs the real `main()`); a few tests run
the console script as a subprocess, for what only a real process shows: the exit code the shell
sees, and that nothing else (a traceback, DuckDB's exit-time noise) reaches stderr.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import Outcome, unionflow
from tests.conftest import REGISTRY, lock_held, unit_record
from tests.test_report_html import private_copy, published_year


def unionflow_process(
    *args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line in a new process as a user would (`None` in `env` unsets a variable)."""
    environment = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-m", "flows", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=240,
    )


def assert_one_clear_line(result: Outcome | subprocess.CompletedProcess[str], *fragments: str) -> None:
    code = result.code if isinstance(result, Outcome) else result.returncode
    assert code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# --- the exit-code contract, as the shell sees it -------------------------------------------------


def test_an_unknown_flag_is_one_line_and_exits_2() -> None:
    result = unionflow_process("collect", "--year", "2025", "--source", "x", "--bogus")
    assert_one_clear_line(result, "No such option", "--bogus")


def test_a_refusal_is_one_line_and_exit_2_for_the_shell(tmp_path: Path) -> None:
    result = unionflow_process("allocate", "--year", "2025", "--db", str(tmp_path / "w.duckdb"))
    assert_one_clear_line(result, "has not been scored")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = unionflow_process("--debug", "collect", "--year", "2025", "--source", str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


# --- behaviour, in-process -----------------------------------------------------------------------


def test_a_missing_source_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = unionflow(
        "collect", "--year", "2025", "--source", str(tmp_path / "nowhere"), "--db", str(tmp_path / "w.duckdb")
    )
    assert_one_clear_line(result, "source folder", "does not exist")


def test_a_locked_warehouse_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with lock_held(db):
        result = unionflow("collect", "--year", "2025", "--source", str(tmp_path), "--db", str(db))
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


def test_scoring_a_year_with_nothing_collected_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = unionflow("score", "--year", "2025", "--db", str(tmp_path / "w.duckdb"))
    assert_one_clear_line(result, "no active pilot units for 2025")


def test_publishing_a_year_never_allocated_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = unionflow(
        "publish", "--year", "2025", "--out", str(tmp_path / "o"), "--db", str(tmp_path / "w.duckdb")
    )
    assert_one_clear_line(result, "has no allocation")


def test_db_defaults_to_the_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = tmp_path / "units.csv"
    header = ",".join(unit_record())
    registry.write_text(
        header + "\n" + ",".join(unit_record(REGISTRY[1][0]).values()) + "\n", encoding="utf-8"
    )
    monkeypatch.setenv("UNIONFLOW_DB", str(tmp_path / "env.duckdb"))
    result = unionflow("units", "import", str(registry))
    assert result.code == 0, result.stderr
    assert (tmp_path / "env.duckdb").exists()


@pytest.mark.parametrize(
    "command", ["collect", "run", "score", "allocate", "publish", "synth", "demo", "units", "quarantine"]
)
def test_every_command_has_help(command: str) -> None:
    result = unionflow(command, "--help")
    assert result.code == 0, result.stderr
    assert "Usage" in result.stdout


def test_publishing_a_different_allocation_without_supersede_exits_2(
    tmp_path: Path, synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A copy of the test run's published year (scored, allocated and published as run 1).
    db, published_out = private_copy(published_year(synthetic_year, tmp_path_factory), tmp_path)
    out = str(published_out)
    result = unionflow("allocate", "--budget", "900000", "--year", "2025", "--db", str(db))
    assert result.code == 0, result.stderr
    refused = unionflow("publish", "--year", "2025", "--out", out, "--db", str(db))
    assert_one_clear_line(refused, "already published", "--supersede")
    replaced = unionflow(
        "publish", "--year", "2025", "--out", out, "--db", str(db), "--supersede", "budget cut"
    )
    assert replaced.code == 0, replaced.stderr
    assert "superseding run 1" in replaced.stdout


def test_allocating_more_than_the_units_can_take_says_why_money_stays_in_the_fund(
    tmp_path: Path, loaded_db: Path
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(loaded_db, db)
    assert unionflow("score", "--year", "2025", "--db", str(db)).code == 0
    result = unionflow("allocate", "--year", "2025", "--budget", "50000000", "--db", str(db))
    assert result.code == 0, result.stderr
    left = [line for line in result.stdout.splitlines() if "stay unallocated" in line]
    assert len(left) == 1 and "funded units is at the cap 20000" in left[0], result.stdout


def test_run_with_a_relative_out_folder_publishes_builds_data_docs_and_shows_each_stage(
    tmp_path: Path, synthetic_year: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make demo` passes a relative --out; Great Expectations' stores need absolute folders.
    monkeypatch.chdir(tmp_path)
    result = unionflow(
        "run", "--year", "2025", "--source", str(synthetic_year), "--out", "out", "--db", "w.duckdb"
    )
    assert result.code == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "validation" / "index.html").is_file()
    assert (tmp_path / "out" / "scores.csv").is_file()
    # Each stage shown as done with its time, collect's bar full (three record kinds), then the
    # validation outcome and where Data Docs are.
    stages = [line for line in result.stdout.splitlines() if line.startswith("✓ ")]
    assert [line.split()[1].rstrip(":") for line in stages] == [
        "collect", "validate", "score", "allocate", "publish"
    ]  # fmt: skip
    assert "3/3" in stages[0] and all(re.search(r"\d+:\d\d:\d\d done$", line) for line in stages)
    assert re.search(r"^validation passed; \d+ warnings$", result.stdout, re.M)
    assert f"Data Docs: {tmp_path / 'out' / 'validation' / 'index.html'}" in result.stdout
