"""Guardrails in the workflow: steps that would silently do harm refuse, with exit code 2 and one
line saying why and what to do (run in-process through the real command line)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli import unionflow
from tests.conftest import YEAR, Validate, submission_record
from warehouse.assignments import assignment_of, reviewed_pairs
from warehouse.connection import open_warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def collected(loaded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the collected synthetic year (its reviews are in)."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(loaded_db, db)
    return db


def test_assign_refuses_once_reviews_are_collected_and_says_how_many_would_become_unassigned(
    collected: Path,
) -> None:
    with open_warehouse(collected, read_only=True) as conn:
        before = assignment_of(conn, YEAR)
        valid = len(reviewed_pairs(conn, YEAR))
    refused = unionflow("assign", "--year", str(YEAR), "--seed", "7", "--db", str(collected))
    assert refused.code == 2
    line = one_line(refused.stderr)
    assert f"{YEAR} already has" in line and f"({valid:,} valid)" in line
    assert "would make" in line and "`unassigned`" in line and "pass --force" in line
    with open_warehouse(collected, read_only=True) as conn:
        assert assignment_of(conn, YEAR).equals(before)  # nothing changed

    forced = unionflow("assign", "--year", str(YEAR), "--seed", "7", "--force", "--db", str(collected))
    assert forced.code == 0, forced.stderr
    with open_warehouse(collected, read_only=True) as conn:
        pairs = set(
            map(tuple, assignment_of(conn, YEAR)[["reviewer_unit_id", "reviewee_unit_id"]].to_numpy())
        )
        reviews = reviewed_pairs(conn, YEAR)
    orphaned = sum(
        (r, e) not in pairs
        for r, e in zip(reviews["reviewer_unit_id"], reviews["reviewee_unit_id"], strict=True)
    )
    assert orphaned > 0
    assert f"would make {orphaned:,} of the valid reviews" in line  # the count said was the true one


def test_assign_before_any_review_is_collected_goes_ahead(registry_db: Path) -> None:
    done = unionflow("assign", "--year", str(YEAR), "--per-unit", "1", "--db", str(registry_db))
    assert done.code == 0, done.stderr
    assert "assigned" in done.stdout


def test_score_refuses_a_year_with_nothing_accepted(registry_db: Path) -> None:
    refused = unionflow("score", "--year", str(YEAR), "--db", str(registry_db))
    assert refused.code == 2
    assert f"{YEAR} has no accepted submission to score" in one_line(refused.stderr)
    with open_warehouse(registry_db, read_only=True) as conn:
        assert conn.sql("select count(*) from score_runs").fetchall()[0][0] == 0  # no empty run stored


def test_allocate_refuses_a_year_without_a_scored_unit(validate: Validate, registry_db: Path) -> None:
    # One accepted submission and no reviews: the unit is `incomplete`, nobody has a total.
    validate("submission", submission_record())
    scored = unionflow("score", "--year", str(YEAR), "--db", str(registry_db))
    assert scored.code == 0, scored.stderr
    refused = unionflow("allocate", "--year", str(YEAR), "--db", str(registry_db))
    assert refused.code == 2
    assert f"{YEAR} has no scored unit to allocate to" in one_line(refused.stderr)
    with open_warehouse(registry_db, read_only=True) as conn:
        assert conn.sql("select count(*) from allocation_runs").fetchall()[0][0] == 0
