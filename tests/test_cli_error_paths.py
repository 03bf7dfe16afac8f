"""Every error path of the command line is one line on stderr with the SPEC exit code (2).

Run through the real command line in-process (`tests.cli.unionflow`): money the warehouse cannot
hold, a config whose weights could turn negative, an output path that is a file, a year with
nothing collected. A traceback only with `--debug`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli import Outcome, unionflow
from unionflow.assessment.config import MAX_MONEY

YEAR = "2025"


def one_line(outcome: Outcome) -> str:
    """The single stderr line of a refused command (asserting there is exactly one)."""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    return lines[0]


@pytest.mark.parametrize("option", ["--budget", "--floor", "--cap", "--step"])
def test_money_beyond_what_the_warehouse_holds_is_refused_naming_the_key(option: str, tmp_path: Path) -> None:
    outcome = unionflow("allocate", "--year", YEAR, option, str(2**64), "--db", str(tmp_path / "w.duckdb"))
    assert outcome.code == 2
    line = one_line(outcome)
    assert line.startswith(f"unionflow: error: allocation.{option[2:]}: ")
    assert str(MAX_MONEY) in line


def test_money_up_to_the_limit_is_accepted_by_the_config() -> None:
    from unionflow.assessment.config import load_config, with_overrides

    # 2^53 is a multiple of the default step (100)? It is not; the largest multiple of 100 below it is.
    budget = MAX_MONEY - MAX_MONEY % 100
    assert with_overrides(load_config(), budget=budget).allocation.budget == budget


def test_a_pass_mark_above_an_eligible_grade_is_refused_naming_the_keys(tmp_path: Path) -> None:
    config = tmp_path / "scoring.toml"
    config.write_text("version = 1\n[allocation]\npass_mark = 80\n", encoding="utf-8")
    outcome = unionflow(
        "allocate", "--year", YEAR, "--config", str(config), "--db", str(tmp_path / "w.duckdb")
    )
    assert outcome.code == 2
    line = one_line(outcome)
    assert line.startswith("unionflow: error: allocation.pass_mark: 80 is above grades.good_min 75")
    assert "negative weight" in line and "allocation.eligible_grades" in line


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_year_with_nothing_collected_is_one_line(loaded_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(loaded_db, db)
    outcome = unionflow("score", "--year", "2031", "--db", str(db))
    assert outcome.code == 2
    assert "2031" in one_line(outcome)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_publish_to_an_out_path_that_is_a_file_is_one_line(loaded_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(loaded_db, db)
    assert unionflow("score", "--year", YEAR, "--db", str(db)).code == 0
    assert unionflow("allocate", "--year", YEAR, "--db", str(db)).code == 0
    taken = tmp_path / "report.txt"
    taken.write_text("not a folder", encoding="utf-8")
    outcome = unionflow("publish", "--year", YEAR, "--out", str(taken), "--db", str(db))
    assert outcome.code == 2
    line = one_line(outcome)
    assert line.startswith("unionflow: error: ") and str(taken) in line
    assert taken.read_text(encoding="utf-8") == "not a folder"
