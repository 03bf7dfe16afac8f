"""Review flags on the synthetic year (issue 7): planted cases are flagged, honest reviewers rarely."""

from __future__ import annotations

from pathlib import Path

import pytest

from unionflow.assessment import load_config, review_flags
from warehouse import inputs
from warehouse.connection import open_warehouse


@pytest.fixture(scope="module")
def flags(loaded_db: Path):
    with open_warehouse(loaded_db, read_only=True) as conn:
        reviews = inputs.accepted_reviews(conn, 2025)
    return review_flags(reviews.drop(columns=["submitted_at", "comment"]), load_config()), reviews


def test_the_planted_colluding_pair_is_flagged(flags, manifest: dict) -> None:
    found, _ = flags
    inflated = found[found["flag"] == "mutual_inflation"]
    flagged_pairs = {
        frozenset(pair)
        for pair in zip(inflated["reviewer_unit_id"], inflated["reviewee_unit_id"], strict=True)
    }
    for pair in manifest["reviewer_behaviours"]["colluding_pairs"]:
        assert frozenset(pair["units"]) in flagged_pairs


@pytest.mark.parametrize(
    ("behaviour", "flag"), [("flat_reviewers", "flat_reviewer"), ("contrarians", "contrarian")]
)
def test_each_planted_reviewer_behaviour_is_flagged(flags, manifest: dict, behaviour: str, flag: str) -> None:
    found, _ = flags
    flagged = set(found.loc[found["flag"] == flag, "reviewer_unit_id"])
    for case in manifest["reviewer_behaviours"][behaviour]:
        assert case["unit_id"] in flagged


def test_no_more_than_two_percent_of_honest_reviewers_are_flagged(flags, manifest: dict) -> None:
    found, reviews = flags
    behaviours = manifest["reviewer_behaviours"]
    planted = {u for pair in behaviours["colluding_pairs"] for u in pair["units"]}
    planted |= {case["unit_id"] for key in ("flat_reviewers", "contrarians") for case in behaviours[key]}
    honest = set(reviews["reviewer_unit_id"]) - planted
    # Reviewer-level flags, and both units of a mutual-inflation pair; a reviewee flagged for its
    # reviewers' disagreement is not suspected of anything.
    suspects = set(found["reviewer_unit_id"].dropna())
    suspects |= set(found.loc[found["flag"] == "mutual_inflation", "reviewee_unit_id"])
    flagged_honest = suspects & honest
    assert len(flagged_honest) <= 0.02 * len(honest), sorted(flagged_honest)
