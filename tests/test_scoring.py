"""Scoring (SPEC §7), checked on small hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from unionflow.assessment import (
    SCORE_COLUMNS,
    assign_grades,
    competition_rank,
    indicator_scores,
    load_config,
    peer_scores,
    reviewer_bias,
    score_year,
    with_overrides,
)
from unionflow.assessment.config import CRITERIA

CFG = load_config()

COUNT_FIELDS = (
    "trainees",
    "skill_upgrades",
    "competition_participants",
    "studios",
    "innovation_results",
    "proposals_submitted",
    "proposals_adopted",
    "craftsmen_honors",
    "workers_served",
)


def units(*specs: str | tuple[str, str]) -> pd.DataFrame:
    """``"A"`` (level city) or ``("A", "county")``."""
    rows = [(s, "city") if isinstance(s, str) else s for s in specs]
    return pd.DataFrame(
        {
            "unit_id": [r[0] for r in rows],
            "name": [f"Unit {r[0]}" for r in rows],
            "level": [r[1] for r in rows],
        }
    )


def submissions(*rows: dict[str, object]) -> pd.DataFrame:
    """Submissions with every count 0 and 100 employees unless given."""
    base: dict[str, object] = {f: 0 for f in COUNT_FIELDS}
    base.update(employees=100, innovation_value_cny=0.0)
    columns = ["unit_id", "employees", "innovation_value_cny", *COUNT_FIELDS]
    return pd.DataFrame([{**base, **row} for row in rows], columns=columns)


def reviews(reviewee: str, *scores: int | tuple[int, ...], first: int = 0) -> pd.DataFrame:
    """Reviews of ``reviewee`` by R<first>, R<first+1>…; an int scores every criterion the same."""
    rows = []
    for i, s in enumerate(scores):
        values = s if isinstance(s, tuple) else (s,) * len(CRITERIA)
        rows.append(
            {
                "review_id": f"{reviewee}-{first + i}",
                "reviewer_unit_id": f"R{first + i}",
                "reviewee_unit_id": reviewee,
                **dict(zip(CRITERIA, values, strict=True)),
            }
        )
    return pd.DataFrame(rows)


def cat(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def by_unit(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("unit_id")


# A dominates B in every rate (B reports zeros everywhere).
STRONG = {
    "trainees": 50,
    "skill_upgrades": 10,
    "competition_participants": 5,
    "studios": 2,
    "innovation_results": 3,
    "innovation_value_cny": 1000.0,
    "proposals_submitted": 10,
    "proposals_adopted": 5,
    "workers_served": 100,
}


# ------------------------------------------------------------------ indicator score


def test_percentile_uses_average_rank_among_ties() -> None:
    u = units("A", "B", "C", "D")
    s = submissions(
        {"unit_id": "A", "trainees": 10},
        {"unit_id": "B", "trainees": 20},
        {"unit_id": "C", "trainees": 20},
        {"unit_id": "D", "trainees": 30},
    )
    pct = by_unit(indicator_scores(u, s, CFG))["pct_training"]
    # ranks 1, 2.5, 2.5, 4 → 100 × (r − 1) / 3
    assert pct.to_dict() == {"A": 0.0, "B": 50.0, "C": 50.0, "D": 100.0}


def test_percentile_three_way_tie_at_the_bottom() -> None:
    u = units("A", "B", "C", "D", "E")
    s = submissions(*({"unit_id": x, "studios": v} for x, v in zip("ABCDE", [1, 1, 1, 2, 3], strict=True)))
    pct = by_unit(indicator_scores(u, s, CFG))["pct_studios"]
    # ranks 2, 2, 2, 4, 5 → 100 × (r − 1) / 4
    assert pct.to_dict() == {"A": 25.0, "B": 25.0, "C": 25.0, "D": 75.0, "E": 100.0}


def test_equal_rates_from_different_fractions_tie() -> None:
    u = units("A", "B", "C")
    s = submissions(
        {"unit_id": "A", "employees": 3, "trainees": 1},
        {"unit_id": "B", "employees": 6, "trainees": 2},
        {"unit_id": "C", "employees": 6, "trainees": 6},
    )
    pct = by_unit(indicator_scores(u, s, CFG))["pct_training"]
    assert pct.to_dict() == {"A": 25.0, "B": 25.0, "C": 100.0}


def test_single_unit_in_a_level_gets_percentile_50() -> None:
    u = units("A", ("B", "county"), ("C", "county"))
    s = submissions(STRONG | {"unit_id": "A"}, {"unit_id": "B"}, STRONG | {"unit_id": "C"})
    out = by_unit(indicator_scores(u, s, CFG))
    assert (out.loc["A", [c for c in out.columns if c.startswith("pct_")]] == 50.0).all()
    assert out.loc["A", "indicator_score"] == pytest.approx(50.0)
    # Levels are ranked separately: C beats B in county, whatever A does in city.
    assert out.loc["C", "indicator_score"] == pytest.approx(100.0)
    assert out.loc["B", "indicator_score"] == pytest.approx(0.0)


def test_percentiles_count_only_units_with_a_submission() -> None:
    u = units("A", "B", "C")  # C has no submission: n = 2, not 3
    s = submissions({"unit_id": "A", "trainees": 1}, {"unit_id": "B", "trainees": 2})
    out = by_unit(indicator_scores(u, s, CFG))
    assert list(out.index) == ["A", "B"]
    assert out["pct_training"].to_dict() == {"A": 0.0, "B": 100.0}


def test_adoption_rate_is_zero_when_nothing_was_submitted() -> None:
    u = units("A", "B")
    s = submissions(
        {"unit_id": "A", "proposals_submitted": 0, "proposals_adopted": 0},
        {"unit_id": "B", "proposals_submitted": 4, "proposals_adopted": 1},
    )
    out = by_unit(indicator_scores(u, s, CFG))
    assert out["rate_adoption"].to_dict() == {"A": 0.0, "B": 0.25}


def test_indicator_score_is_the_weighted_sum_of_percentiles() -> None:
    u = units("A", "B")
    # Only training differs: A 100 / B 0 there, both 50 (tie) on the eight other rates.
    s = submissions({"unit_id": "A", "trainees": 5}, {"unit_id": "B", "trainees": 1})
    out = by_unit(indicator_scores(u, s, CFG))
    assert out.loc["A", "indicator_score"] == pytest.approx(0.15 * 100 + 0.85 * 50)  # 57.5
    assert out.loc["B", "indicator_score"] == pytest.approx(0.15 * 0 + 0.85 * 50)  # 42.5


def test_rates_are_divided_by_employees() -> None:
    u = units("A")
    s = submissions({"unit_id": "A", "employees": 8, "trainees": 2, "innovation_value_cny": 10.5})
    out = by_unit(indicator_scores(u, s, CFG))
    assert out.loc["A", "rate_training"] == 0.25
    assert out.loc["A", "rate_innovation_value"] == 10.5 / 8


# ----------------------------------------------------------------------- peer score


def test_three_reviews_give_the_plain_mean() -> None:
    out = by_unit(peer_scores(reviews("X", 70, 80, 90), CFG))
    assert out.loc["X", "n_reviews"] == 3
    assert out.loc["X", "peer_guidance"] == 80.0
    assert out.loc["X", "peer_score"] == pytest.approx(80.0)


def test_four_reviews_give_the_plain_mean_without_trimming() -> None:
    out = by_unit(peer_scores(reviews("X", 60, 70, 80, 100), CFG))
    assert out.loc["X", "peer_guidance"] == 77.5  # trimmed would be 75


def test_five_reviews_drop_one_highest_and_one_lowest() -> None:
    out = by_unit(peer_scores(reviews("X", 50, 70, 80, 90, 100), CFG))
    assert out.loc["X", "peer_guidance"] == 80.0  # plain mean would be 78


def test_trimming_drops_only_one_of_several_equal_extremes() -> None:
    out = by_unit(peer_scores(reviews("X", 60, 80, 80, 100, 100), CFG))
    assert out.loc["X", "peer_guidance"] == pytest.approx((80 + 80 + 100) / 3)


def test_trimming_is_per_criterion() -> None:
    rows = [
        (50, 100, 0, 0, 0),
        (60, 90, 0, 0, 0),
        (70, 80, 0, 0, 0),
        (80, 70, 0, 0, 0),
        (95, 10, 0, 0, 0),
    ]
    r = reviews("X", *rows)
    out = by_unit(peer_scores(r, CFG))
    assert out.loc["X", "peer_guidance"] == 70.0  # drop 50 and 95 → (60 + 70 + 80) / 3
    assert out.loc["X", "peer_skills"] == 80.0  # drop 10 and 100 → (90 + 80 + 70) / 3


def test_peer_score_is_the_weighted_sum_of_criteria() -> None:
    out = by_unit(peer_scores(reviews("X", *[(100, 80, 60, 40, 20)] * 3), CFG))
    # 0.15·100 + 0.25·80 + 0.25·60 + 0.15·40 + 0.20·20
    assert out.loc["X", "peer_score"] == pytest.approx(15 + 20 + 15 + 6 + 4)


def test_two_reviews_leave_the_peer_score_empty() -> None:
    out = by_unit(peer_scores(reviews("X", 80, 90), CFG))
    assert out.loc["X", "n_reviews"] == 2
    assert math.isnan(out.loc["X", "peer_score"])


def test_median_method_takes_the_median_per_criterion() -> None:
    r = cat(reviews("X", 60, 70, 80, 100), reviews("Y", 50, 70, 80, 90, 100), reviews("Z", 1, 2))
    out = by_unit(peer_scores(r, CFG, method="median"))
    assert out.loc["X", "peer_guidance"] == 75.0
    assert out.loc["Y", "peer_guidance"] == 80.0
    assert math.isnan(out.loc["Z", "peer_score"])  # still needs 3 reviews


def test_median_method_can_come_from_the_config() -> None:
    cfg = with_overrides(CFG, peer_method="median")
    out = by_unit(peer_scores(reviews("X", 60, 70, 80, 100), cfg))
    assert out.loc["X", "peer_guidance"] == 75.0


def _calibration_example() -> pd.DataFrame:
    """A is lenient (90) on X and Y; the four others give 60. Every criterion alike."""
    rows = []
    for reviewee, reviewers in (("X", ["A", "B", "C"]), ("Y", ["A", "D", "E"])):
        for reviewer in reviewers:
            score = 90 if reviewer == "A" else 60
            rows.append(
                {
                    "review_id": f"{reviewer}>{reviewee}",
                    "reviewer_unit_id": reviewer,
                    "reviewee_unit_id": reviewee,
                    **dict.fromkeys(CRITERIA, score),
                }
            )
    return pd.DataFrame(rows)


def test_calibrated_reviewer_bias_is_shrunk_by_review_count() -> None:
    bias = reviewer_bias(_calibration_example(), CFG).set_index("reviewer_unit_id")
    # A: 90 − 60 = +30 on both reviews; n_r = 2 → 30 × 2 / (2 + 3) = 12.
    assert bias.loc["A", "bias"] == 30.0
    assert bias.loc["A", "shrunk_bias"] == pytest.approx(12.0)
    # B: 60 − mean(90, 60) = −15 on one review; n_r = 1 → −15 × 1 / 4 = −3.75.
    assert bias.loc["B", "bias"] == -15.0
    assert bias.loc["B", "shrunk_bias"] == pytest.approx(-3.75)


def test_calibrated_peer_score_removes_reviewer_leniency() -> None:
    out = by_unit(peer_scores(_calibration_example(), CFG, method="calibrated"))
    # X: A 90 − 12 = 78, B and C 60 + 3.75 = 63.75 → mean 68.5 (plain mean: 70).
    assert out.loc["X", "peer_score"] == pytest.approx(68.5)
    assert out.loc["Y", "peer_score"] == pytest.approx(68.5)


def test_calibrated_ignores_items_without_other_reviewers() -> None:
    solo = pd.DataFrame(
        [
            {
                "review_id": "A>Q",
                "reviewer_unit_id": "A",
                "reviewee_unit_id": "Q",
                **dict.fromkeys(CRITERIA, 100),
            }
        ]
    )
    bias = reviewer_bias(cat(_calibration_example(), solo), CFG).set_index("reviewer_unit_id")
    assert bias.loc["A", "n_r"] == 2
    assert bias.loc["A", "shrunk_bias"] == pytest.approx(12.0)


# ------------------------------------------------------------------------- total


def _pair_year(*, peer_a: int, peer_b: int, honors_a: int = 0) -> pd.DataFrame:
    """A (indicator 100) and B (indicator 0) in one level, 3 identical reviews each."""
    u = units("A", "B")
    s = submissions(STRONG | {"unit_id": "A", "craftsmen_honors": honors_a}, {"unit_id": "B"})
    r = cat(reviews("A", peer_a, peer_a, peer_a), reviews("B", peer_b, peer_b, peer_b, first=5))
    return by_unit(score_year(u, s, r, CFG))


def test_total_blends_indicator_and_peer_and_adds_the_bonus() -> None:
    out = _pair_year(peer_a=80, peer_b=70, honors_a=2)
    assert out.loc["A", "indicator_score"] == pytest.approx(100.0)
    assert out.loc["A", "bonus"] == 2.0
    assert out.loc["A", "total"] == pytest.approx(0.4 * 100 + 0.6 * 80 + 2)  # 90
    assert out.loc["B", "total"] == pytest.approx(0.4 * 0 + 0.6 * 70 + 0)  # 42


def test_bonus_is_capped_at_five() -> None:
    out = _pair_year(peer_a=50, peer_b=50, honors_a=7)
    assert out.loc["A", "bonus"] == 5.0


def test_total_is_capped_at_100() -> None:
    out = _pair_year(peer_a=100, peer_b=50, honors_a=5)  # 40 + 60 + 5 = 105
    assert out.loc["A", "total"] == 100.0


def test_unit_without_submission_gets_no_bonus_and_no_total() -> None:
    u = units("A", "B")
    s = submissions({"unit_id": "A", "craftsmen_honors": 3})
    r = cat(reviews("A", 80, 80, 80), reviews("B", 80, 80, 80, first=5))
    out = by_unit(score_year(u, s, r, CFG))
    assert out.loc["B", "bonus"] == 0.0
    assert math.isnan(out.loc["B", "total"])


# ---------------------------------------------------------------- ranks and grades


def test_ranks_share_ties_and_skip_after_them() -> None:
    ranks = competition_rank(pd.Series([90.0, 80.0, 80.0, 70.0, np.nan]))
    assert ranks.tolist() == [1, 2, 2, 4, pd.NA]
    assert ranks.dtype == pd.Int64Dtype()


def test_rank_in_level_ranks_within_each_level() -> None:
    ranks = competition_rank(
        pd.Series([90.0, 80.0, 85.0, 80.0]), pd.Series(["city", "city", "county", "county"])
    )
    assert ranks.tolist() == [1, 2, 1, 2]


def _grades(totals: list[float], has_submission: list[bool] | None = None) -> list[str]:
    sub = pd.Series(has_submission if has_submission else [True] * len(totals))
    return assign_grades(pd.Series(totals, dtype=float), sub, CFG).tolist()


def test_grade_thresholds_are_inclusive() -> None:
    totals = [85.0, 84.999, 75.0, 74.999, 60.0, 59.999] + [10.0] * 24  # n_scored 30 → 6 slots
    assert _grades(totals)[:6] == ["excellent", "good", "good", "pass", "pass", "fail"]


def test_excellent_is_limited_to_the_top_fifth_rounded_up() -> None:
    # n_scored = 6 → ceil(1.2) = 2 excellent slots, though three units reach 85.
    assert _grades([95, 92, 90, 50, 50, 50]) == ["excellent", "excellent", "good", "fail", "fail", "fail"]


def test_units_tied_at_the_excellent_quota_all_qualify() -> None:
    # n_scored = 10 → 2 slots; the 90s share rank 2.
    grades = _grades([95, 90, 90] + [70] * 7)
    assert grades[:4] == ["excellent", "excellent", "excellent", "pass"]


def test_excellent_quota_counts_only_scored_units() -> None:
    # Two scored units → ceil(0.4) = 1 slot; the unscored ones do not enlarge it.
    grades = _grades([95, 90, np.nan, np.nan, np.nan], [True, True, True, False, False])
    assert grades == ["excellent", "good", "incomplete", "missing", "missing"]


def test_grades_ignore_float_noise_at_a_boundary() -> None:
    assert _grades([84.99999999999999] + [10.0] * 9)[0] == "excellent"


def test_ties_within_float_noise_share_a_rank() -> None:
    u = units("A", "B", "C", "D")
    s = submissions(*({"unit_id": x} for x in "ABCD"))  # all tie: indicator 50 each
    r = cat(*(reviews(x, *[(71, 83, 67, 91, 77)] * 3, first=10 * i) for i, x in enumerate("ABCD")))
    out = score_year(u, s, r, CFG)
    assert out["rank"].tolist() == [1, 1, 1, 1]


def test_missing_submission_is_graded_missing_even_with_reviews() -> None:
    u = units("A", "B")
    s = submissions({"unit_id": "A"})
    r = cat(reviews("A", 80, 80, 80), reviews("B", 80, 80, 80, first=5))
    out = by_unit(score_year(u, s, r, CFG))
    assert out.loc["B", "grade"] == "missing"
    assert out.loc["B", "n_reviews"] == 3
    assert out.loc["B", "flags"] == ""


def test_two_reviews_make_a_submitted_unit_incomplete_and_flagged() -> None:
    u = units("A", "B")
    s = submissions({"unit_id": "A"}, {"unit_id": "B"})
    r = cat(reviews("A", 80, 80, 80), reviews("B", 80, 80, first=5))
    out = by_unit(score_year(u, s, r, CFG))
    assert out.loc["B", "grade"] == "incomplete"
    assert math.isnan(out.loc["B", "peer_score"])
    assert out.loc["B", "flags"] == "insufficient_reviews"
    assert pd.isna(out.loc["B", "rank"])


def test_missing_takes_precedence_over_incomplete() -> None:
    out = by_unit(score_year(units("A"), submissions(), reviews("A", 80), CFG))
    assert out.loc["A", "grade"] == "missing"
    assert out.loc["A", "flags"] == "insufficient_reviews"


def test_excluded_reviews_are_dropped_before_scoring() -> None:
    u = units("A")
    s = submissions({"unit_id": "A"})
    r = reviews("A", 80, 80, 80)
    out = by_unit(score_year(u, s, r, CFG, excluded_review_ids={"A-0"}))
    assert out.loc["A", "n_reviews"] == 2
    assert out.loc["A", "grade"] == "incomplete"


# ------------------------------------------------------------------ whole table


def _three_units() -> pd.DataFrame:
    u = units("B", ("C", "county"), "A")
    s = submissions(STRONG | {"unit_id": "A"}, {"unit_id": "B"}, {"unit_id": "C"})
    r = cat(reviews("A", 80, 80, 80), reviews("B", 80, 80, 80, first=3), reviews("C", 80, 80, 80, first=6))
    return score_year(u, s, r, CFG)


def test_score_year_ranks_grades_and_orders_the_table() -> None:
    out = _three_units()
    # A: 0.4·100 + 0.6·80 = 88; C (alone in county): 0.4·50 + 48 = 68; B: 0 + 48 = 48.
    assert out["unit_id"].tolist() == ["A", "C", "B"]
    assert out["total"].tolist() == pytest.approx([88.0, 68.0, 48.0])
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["rank_in_level"].tolist() == [1, 1, 2]
    # 3 scored → ceil(0.6) = 1 excellent slot.
    assert out["grade"].tolist() == ["excellent", "pass", "fail"]


def test_score_year_columns_come_in_the_documented_order() -> None:
    out = _three_units()
    assert tuple(out.columns[: len(SCORE_COLUMNS)]) == SCORE_COLUMNS
    assert out["rank"].dtype == pd.Int64Dtype()
    assert out["n_reviews"].dtype == np.int64


def test_unranked_units_come_last_by_unit_id() -> None:
    u = units("Z", "M", "A")
    s = submissions({"unit_id": "Z"}, {"unit_id": "A"})
    r = reviews("Z", 80, 80, 80)
    out = score_year(u, s, r, CFG)
    assert out["unit_id"].tolist() == ["Z", "A", "M"]


def test_extra_flags_are_merged_sorted_and_deduplicated() -> None:
    u = units("A", "B")
    s = submissions({"unit_id": "A"}, {"unit_id": "B"})
    r = reviews("A", 80, 80, 80)
    extra = pd.DataFrame(
        {
            "unit_id": ["B", "B", "A", "Q"],
            "flag": ["mutual_inflation", "contrarian", "contrarian", "contrarian"],
        }
    )
    out = by_unit(score_year(u, s, r, CFG, extra_flags=extra))
    assert out.loc["A", "flags"] == "contrarian"
    assert out.loc["B", "flags"] == "contrarian;insufficient_reviews;mutual_inflation"


def test_score_year_does_not_depend_on_input_order() -> None:
    u = units("B", ("C", "county"), "A")
    s = submissions(STRONG | {"unit_id": "A"}, {"unit_id": "B"}, {"unit_id": "C"})
    r = cat(reviews("A", 80, 70, 60), reviews("B", 80, 90, 60, first=3), reviews("C", 50, 80, 80, first=6))
    first = score_year(u, s, r, CFG)
    second = score_year(u.iloc[::-1], s.iloc[::-1], r.iloc[::-1], CFG)
    pd.testing.assert_frame_equal(first, second)
