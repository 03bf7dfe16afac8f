"""Steward exclusion of reviews (audited, re-scoring) and anonymous feedback sheets (issue 7)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flows.score import score
from tasks.reports import feedback_inputs
from tests.cli import unionflow
from unionflow.reports.feedback import safe_file_name, write_feedback
from unionflow.reports.pseudonyms import pseudonyms
from warehouse import inputs
from warehouse.connection import WarehouseError, open_warehouse
from warehouse.review_exclusions import decide, decisions, excluded_reviews, review_list

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


def test_feedback_sheets_show_pseudonyms_never_reviewer_ids(scored_db: Path, tmp_path: Path) -> None:
    with open_warehouse(scored_db, read_only=True) as conn:
        inputs = feedback_inputs(conn, 2025)
    written = write_feedback(tmp_path, inputs)
    assert len(written) == len(inputs.scores)  # one sheet per unit of the score run
    reviews = inputs.reviews
    reviewed = sorted(set(reviews["reviewee_unit_id"]))
    sheet = (tmp_path / f"{reviewed[0]}.html").read_text(encoding="utf-8")
    own = reviews[reviews["reviewee_unit_id"] == reviewed[0]]
    assert "R01" in sheet
    for reviewer in own["reviewer_unit_id"]:
        assert reviewer not in sheet


def test_feedback_shows_the_units_result_percentiles_level_means_and_consecutive_pseudonyms(
    scored_db: Path, tmp_path: Path
) -> None:
    with open_warehouse(scored_db, read_only=True) as conn:
        inputs = feedback_inputs(conn, 2025)
    write_feedback(tmp_path, inputs)
    unit = inputs.scores[inputs.scores["rank"].notna()].iloc[0]
    sheet = (tmp_path / f"{unit['unit_id']}.html").read_text(encoding="utf-8")
    ranked = int(inputs.scores["rank"].notna().sum())
    assert f"{float(unit['total']):.2f}" in sheet
    assert f"{int(unit['rank'])} of {ranked}" in sheet
    assert "Rank in level" in sheet and "Percentile in level" in sheet and "Mean of the level" in sheet
    assert sheet.count("<tr><td>") >= 9 + 5  # nine indicator rates, five criteria
    # Comment pseudonyms run R01, R02, … with no gaps, on every sheet.
    for path in tmp_path.glob("*.html"):
        names = re.findall(r"<tr><td>(R\d\d)</td>", path.read_text(encoding="utf-8"))
        assert names == [f"R{i:02d}" for i in range(1, len(names) + 1)], path.name


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


def test_review_exclude_reviewer_excludes_all_its_reviews_in_one_audited_step(
    scored_db: Path, manifest: dict
) -> None:
    flat = manifest["reviewer_behaviours"]["flat_reviewers"][0]
    reviewer = flat["unit_id"]
    db = ["--db", str(scored_db)]
    done = unionflow(
        "review", "exclude", "--year", "2025", "--reviewer", reviewer, "--reason", "flat reviewer", *db
    )
    assert done.code == 0, done.stderr
    with open_warehouse(scored_db, read_only=True) as conn:
        mine = review_list(conn, 2025, reviewer=reviewer)
        trail = decisions(conn, 2025)
    assert len(mine) >= 4 and mine["excluded"].all()
    assert (
        f"{len(mine)} of {len(mine)} reviews by {reviewer} excluded from scoring in one audited step"
        in done.stdout
    )
    assert set(trail["review_id"]) == set(mine["review_id"])
    assert set(trail["scope"]) == {f"reviewer:{reviewer}"} and set(trail["reason"]) == {"flat reviewer"}
    assert len(set(trail["decided_at"])) == 1  # one step
    again = unionflow("review", "exclude", "--year", "2025", "--reviewer", reviewer, "--reason", "again", *db)
    assert again.code == 0 and "nothing recorded" in again.stdout

    listed = unionflow("review", "list", "--year", "2025", "--reviewer", reviewer, *db)
    assert listed.code == 0, listed.stderr
    assert f"{len(mine)} valid reviews by {reviewer}" in listed.stdout
    assert listed.stdout.count("excluded") >= len(mine)
    for review_id in mine["review_id"]:
        assert review_id in listed.stdout


def test_review_exclude_needs_one_review_or_one_reviewer(scored_db: Path) -> None:
    neither = unionflow("review", "exclude", "--year", "2025", "--reason", "x", "--db", str(scored_db))
    assert (
        neither.code == 2
        and "name one review (REVIEW_ID) or one reviewer (--reviewer UNIT)" in neither.stderr
    )
    unknown = unionflow(
        "review",
        "exclude",
        "--year",
        "2025",
        "--reviewer",
        "NO-SUCH",
        "--reason",
        "x",
        "--db",
        str(scored_db),
    )
    assert unknown.code == 2 and "NO-SUCH has no valid review in 2025" in unknown.stderr
