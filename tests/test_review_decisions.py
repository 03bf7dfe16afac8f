"""Steward exclusion of reviews (audited, re-scoring) and anonymous feedback sheets (issue 7)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.score import score
from unionflow.reports.feedback import safe_file_name, write_feedback
from unionflow.reports.pseudonyms import pseudonyms
from warehouse import inputs
from warehouse.connection import WarehouseError, open_warehouse
from warehouse.review_exclusions import decide, decisions, excluded_reviews

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def scored_db(loaded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the loaded synthetic year, scored once."""
    db = tmp_path / "w.duckdb"
    shutil.copy(loaded_db, db)
    score(year=2025, db=str(db))
    return db


def test_excluding_a_flagged_review_is_audited_and_changes_the_score(scored_db: Path, manifest: dict) -> None:
    flat = manifest["reviewer_behaviours"]["flat_reviewers"][0]
    review_id = flat["review_ids"][0]
    before = score(year=2025, db=str(scored_db))
    with open_warehouse(scored_db) as conn:
        assert decide(conn, 2025, review_id, "exclude", "flat reviewer", "steward-1")
        assert excluded_reviews(conn, 2025) == [review_id]
        trail = decisions(conn, 2025)
    after = score(year=2025, db=str(scored_db))
    assert list(
        trail[["review_id", "action", "reason", "decided_by"]].itertuples(index=False, name=None)
    ) == [(review_id, "exclude", "flat reviewer", "steward-1")]
    assert after.score_run_id != before.score_run_id
    assert after.input_hash != before.input_hash


def test_excluding_twice_records_one_decision(scored_db: Path, manifest: dict) -> None:
    review_id = manifest["reviewer_behaviours"]["contrarians"][0]["review_ids"][0]
    with open_warehouse(scored_db) as conn:
        assert decide(conn, 2025, review_id, "exclude", "contrarian", "s")
        assert not decide(conn, 2025, review_id, "exclude", "again", "s")
        assert decide(conn, 2025, review_id, "include", "mistake", "s")
        assert excluded_reviews(conn, 2025) == []
        assert len(decisions(conn, 2025)) == 2


def test_an_unknown_review_cannot_be_excluded(scored_db: Path) -> None:
    with open_warehouse(scored_db) as conn, pytest.raises(WarehouseError, match="no valid review"):
        decide(conn, 2025, "R-NOPE", "exclude", "x", "s")


def test_feedback_sheets_show_pseudonyms_never_reviewer_ids(loaded_db: Path, tmp_path: Path) -> None:
    with open_warehouse(loaded_db, read_only=True) as conn:
        units = inputs.active_units(conn, 2025)
        reviews = inputs.accepted_reviews(conn, 2025)
    written = write_feedback(tmp_path, 2025, units, reviews)
    assert len(written) == reviews["reviewee_unit_id"].nunique()
    sheet = written[0].read_text(encoding="utf-8")
    own = reviews[reviews["reviewee_unit_id"] == written[0].stem]
    assert "R01" in sheet
    for reviewer in own["reviewer_unit_id"]:
        assert reviewer not in sheet


def test_pseudonyms_are_stable_and_numbered_per_reviewee(loaded_db: Path) -> None:
    with open_warehouse(loaded_db, read_only=True) as conn:
        reviews = inputs.accepted_reviews(conn, 2025)
    first = pseudonyms(reviews, 2025)
    again = pseudonyms(reviews.sample(frac=1, random_state=3), 2025).reindex(reviews.index)
    assert first.equals(again)
    per_reviewee = first.groupby(reviews["reviewee_unit_id"]).apply(sorted)
    assert all(names == [f"R{i:02d}" for i in range(1, len(names) + 1)] for names in per_reviewee)


@pytest.mark.parametrize("unit_id", ["../../etc/passwd", "a/b", "..", ""])
def test_feedback_file_names_never_leave_their_folder(unit_id: str) -> None:
    name = safe_file_name(unit_id)
    assert "/" not in name and not name.startswith(".")
