"""Review flags (SPEC §7) on small constructed review sets, each with a negative case."""

from __future__ import annotations

import json

import pandas as pd

from unionflow.assessment import load_config, review_flags, unit_flags
from unionflow.assessment.config import CRITERIA

CFG = load_config()


def review(reviewer: str, reviewee: str, score: int | tuple[int, ...]) -> dict[str, object]:
    values = score if isinstance(score, tuple) else (score,) * len(CRITERIA)
    return {
        "review_id": f"{reviewer}>{reviewee}",
        "reviewer_unit_id": reviewer,
        "reviewee_unit_id": reviewee,
        **dict(zip(CRITERIA, values, strict=True)),
    }


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def flags_of(kind: str, reviews: pd.DataFrame) -> pd.DataFrame:
    out = review_flags(reviews, CFG)
    return out[out["flag"] == kind].reset_index(drop=True)


# --------------------------------------------------------------- mutual_inflation


def _pair(a_to_b: int, b_to_a: int) -> pd.DataFrame:
    """A and B review each other; C and D give both of them 70."""
    return frame(
        review("A", "B", a_to_b),
        review("B", "A", b_to_a),
        review("C", "A", 70),
        review("D", "A", 70),
        review("C", "B", 70),
        review("D", "B", 70),
    )


def test_mutual_inflation_flags_a_pair_inflating_each_other() -> None:
    found = flags_of("mutual_inflation", _pair(95, 90))
    assert len(found) == 1  # one row per unordered pair
    row = found.iloc[0]
    assert (row["reviewer_unit_id"], row["reviewee_unit_id"]) == ("A", "B")
    evidence = json.loads(row["evidence"])
    assert evidence == {
        "a": "A",
        "b": "B",
        "a_to_b_mean": 95.0,
        "others_mean_for_b": 70.0,
        "b_to_a_mean": 90.0,
        "others_mean_for_a": 70.0,
        "margin": 10.0,
    }
    assert list(evidence) == sorted(evidence)  # JSON keys are sorted


def test_mutual_inflation_needs_both_directions_above_the_margin() -> None:
    assert flags_of("mutual_inflation", _pair(95, 78)).empty  # B→A exceeds by 8 only


def test_mutual_inflation_margin_is_strict() -> None:
    assert flags_of("mutual_inflation", _pair(80, 80)).empty  # exactly 10 above


def test_mutual_inflation_uses_the_mean_over_criteria() -> None:
    # A→B per-criterion mean 81.4 (11.4 above the others' 70) although two criteria are low.
    assert len(flags_of("mutual_inflation", _pair((100, 100, 100, 57, 50), 95))) == 1
    assert flags_of("mutual_inflation", _pair((100, 100, 100, 50, 50), 95)).empty  # exactly 80


def test_one_sided_inflation_is_not_mutual() -> None:
    reviews = frame(review("A", "B", 95), review("C", "B", 70), review("D", "B", 70), review("C", "A", 70))
    assert flags_of("mutual_inflation", reviews).empty


# ------------------------------------------------------------------ flat_reviewer


def test_flat_reviewer_gives_the_same_scores_in_every_review() -> None:
    vector = (90, 85, 80, 75, 70)
    reviews = frame(*(review("F", x, vector) for x in ["P", "Q", "R", "S"]))
    found = flags_of("flat_reviewer", reviews)
    assert found["reviewer_unit_id"].tolist() == ["F"]
    assert found["reviewee_unit_id"].tolist() == [None]
    assert json.loads(found.loc[0, "evidence"]) == {
        "n_reviews": 4,
        "scores": {
            "guidance": 90.0,
            "skills": 85.0,
            "innovation": 80.0,
            "institution": 75.0,
            "service": 70.0,
        },
    }


def test_flat_reviewer_needs_four_reviews() -> None:
    reviews = frame(*(review("F", x, 80) for x in ["P", "Q", "R"]))
    assert flags_of("flat_reviewer", reviews).empty


def test_one_different_score_makes_a_reviewer_not_flat() -> None:
    reviews = frame(*(review("F", x, 80) for x in ["P", "Q", "R"]), review("F", "S", (80, 80, 80, 80, 79)))
    assert flags_of("flat_reviewer", reviews).empty


# -------------------------------------------------------------------- contrarian


def _panel(x_scores: list[int | tuple[int, ...]]) -> pd.DataFrame:
    """Y and Z agree on P1..P4 (60, 70, 80, 90); X scores them as given."""
    rows = []
    for reviewee, consensus, mine in zip(["P1", "P2", "P3", "P4"], [60, 70, 80, 90], x_scores, strict=True):
        rows += [
            review("Y", reviewee, consensus),
            review("Z", reviewee, consensus),
            review("X", reviewee, mine),
        ]
    return frame(*rows)


def test_contrarian_scores_against_the_other_reviewers() -> None:
    found = flags_of("contrarian", _panel([90, 80, 70, 60]))
    # Y and Z see a constant others' mean (75 everywhere): correlation undefined, not flagged.
    assert found["reviewer_unit_id"].tolist() == ["X"]
    evidence = json.loads(found.loc[0, "evidence"])
    assert evidence["n_reviews"] == 4
    assert evidence["correlation"] == -1.0


def test_agreeing_reviewer_is_not_contrarian() -> None:
    assert flags_of("contrarian", _panel([65, 72, 85, 88])).empty


def test_constant_scores_are_not_contrarian() -> None:
    # Correlation with a constant series is undefined (NaN), never negative.
    assert flags_of("contrarian", _panel([80, 80, 80, 80])).empty


def test_contrarian_needs_four_reviews_with_other_reviewers() -> None:
    reviews = _panel([90, 80, 70, 60])
    reviews = reviews[~((reviews["reviewee_unit_id"] == "P4") & (reviews["reviewer_unit_id"] != "X"))]
    assert flags_of("contrarian", reviews).empty  # P4 has no other reviewer: 3 points left


# --------------------------------------------------------------------- the table


def test_review_flags_table_shape_and_order() -> None:
    reviews = pd.concat([_panel([90, 80, 70, 60]), _pair(95, 90)], ignore_index=True)
    out = review_flags(reviews, CFG)
    assert list(out.columns) == ["flag", "reviewer_unit_id", "reviewee_unit_id", "evidence"]
    assert out["flag"].tolist() == sorted(out["flag"].tolist())


def test_no_flags_gives_an_empty_table_with_the_columns() -> None:
    out = review_flags(frame(review("A", "B", 80)), CFG)
    assert out.empty
    assert list(out.columns) == ["flag", "reviewer_unit_id", "reviewee_unit_id", "evidence"]


def test_unit_flags_attach_mutual_inflation_to_both_units() -> None:
    found = review_flags(pd.concat([_panel([90, 80, 70, 60]), _pair(95, 90)]), CFG)
    per_unit = unit_flags(found)
    assert per_unit.values.tolist() == [
        ["A", "mutual_inflation"],
        ["B", "mutual_inflation"],
        ["X", "contrarian"],
    ]


def test_a_reviewee_whose_reviewers_disagree_widely_is_flagged() -> None:
    import pandas as pd

    from unionflow.assessment import load_config, review_flags

    scores = [(90, 90, 90, 90, 90), (88, 89, 90, 91, 92), (40, 85, 86, 87, 88)]
    reviews = pd.DataFrame(
        [
            {"review_id": f"R{i}", "reviewer_unit_id": f"U{i}", "reviewee_unit_id": "T",
             **dict(zip(["guidance", "skills", "innovation", "institution", "service"], s, strict=True))}
            for i, s in enumerate(scores)
        ]
    )  # fmt: skip
    found = review_flags(reviews, load_config())
    wide = found[found["flag"] == "wide_disagreement"]
    assert list(wide["reviewee_unit_id"]) == ["T"]
    assert wide["reviewer_unit_id"].isna().all()
    assert '"widest": "guidance"' in wide["evidence"].iloc[0]


def test_reviewers_within_the_range_are_not_flagged_for_disagreement() -> None:
    import pandas as pd

    from unionflow.assessment import load_config, review_flags

    reviews = pd.DataFrame(
        [
            {"review_id": f"R{i}", "reviewer_unit_id": f"U{i}", "reviewee_unit_id": "T",
             "guidance": 70 + 10 * i, "skills": 80, "innovation": 80, "institution": 80, "service": 80}
            for i in range(3)
        ]
    )  # fmt: skip
    assert "wide_disagreement" not in set(review_flags(reviews, load_config())["flag"])
