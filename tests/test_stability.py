"""Grade and funding stability: a seeded, vectorised bootstrap of each unit's valid reviews."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unionflow.assessment import allocate, assign_grades, load_config, peer_scores, with_overrides
from unionflow.assessment import stability as stability_module
from unionflow.assessment.config import CRITERIA, ConfigError
from unionflow.assessment.stability import GRADE_CODES, funded_mask, grade_codes, unit_stability

CFG = load_config()


def year(
    review_values: dict[str, list[float]], indicator: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and reviews of constructed units: each unit's reviews give every criterion the
    listed values (one review per value), reviewers R0…; the total and grade follow SPEC §7."""
    rows = []
    for unit, values in review_values.items():
        for i, value in enumerate(values):
            rows.append(
                {"review_id": f"{unit}-{i}", "reviewer_unit_id": f"R{i}", "reviewee_unit_id": unit}
                | dict.fromkeys(CRITERIA, value)
            )
    reviews = pd.DataFrame(rows)
    peer = peer_scores(reviews, CFG).set_index("unit_id")["peer_score"]
    units = list(review_values)
    ind = pd.Series(indicator)[units]
    total = np.minimum(100.0, 0.4 * ind.to_numpy() + 0.6 * peer[units].to_numpy())
    scores = pd.DataFrame({"unit_id": units, "indicator_score": ind.to_numpy(), "bonus": 0.0, "total": total})
    scores["grade"] = assign_grades(scores["total"], pd.Series(True, index=scores.index), CFG)
    return scores, reviews


def spread_year() -> tuple[pd.DataFrame, pd.DataFrame]:
    """20 filler units around 65–70 (pass), a top unit, a bottom unit and one unit right on
    the good threshold (75) with widely spread reviews."""
    values = {f"F{i:02d}": [64.0 + i * 0.3 + d for d in (-2, -1, 0, 1, 2)] for i in range(20)}
    values["TOP"] = [96.0, 97.0, 98.0, 97.0, 96.0]
    values["LOW"] = [20.0, 22.0, 21.0, 23.0, 20.0]
    values["EDGE"] = [55.0, 68.0, 75.0, 82.0, 95.0]
    indicator = dict.fromkeys(values, 60.0) | {"TOP": 98.0, "LOW": 20.0, "EDGE": 75.0}
    return year(values, indicator)


def test_same_seed_gives_the_same_result() -> None:
    scores, reviews = spread_year()
    first = unit_stability(scores, reviews, CFG, resamples=300, seed=5)
    again = unit_stability(scores, reviews, CFG, resamples=300, seed=5)
    pd.testing.assert_frame_equal(first, again)


def test_another_seed_gives_another_draw() -> None:
    scores, reviews = spread_year()
    a = unit_stability(scores, reviews, CFG, resamples=300, seed=5)
    b = unit_stability(scores, reviews, CFG, resamples=300, seed=6)
    assert not a["total_low"].equals(b["total_low"])


def test_chunking_the_resamples_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    scores, reviews = spread_year()
    whole = unit_stability(scores, reviews, CFG, resamples=200, seed=1)
    monkeypatch.setattr(stability_module, "_CHUNK_BYTES", 1)  # one resample per chunk
    pd.testing.assert_frame_equal(unit_stability(scores, reviews, CFG, resamples=200, seed=1), whole)


def test_a_unit_far_from_every_boundary_is_fully_stable() -> None:
    scores, reviews = spread_year()
    out = unit_stability(scores, reviews, CFG, resamples=1000).set_index("unit_id")
    for unit, grade, funded in (("TOP", "excellent", True), ("LOW", "fail", False)):
        row = out.loc[unit]
        assert row["grade"] == grade
        assert row["grade_kept_share"] == 1.0
        assert row["funded"] == funded
        assert row["funded_share"] == (1.0 if funded else 0.0)
        assert not row["borderline"]


def test_a_unit_on_the_good_threshold_is_borderline() -> None:
    scores, reviews = spread_year()
    out = unit_stability(scores, reviews, CFG, resamples=1000).set_index("unit_id")
    edge = out.loc["EDGE"]
    assert edge["grade"] == "good" and edge["funded"]
    assert edge["grade_kept_share"] < 0.8
    assert edge["borderline"]
    assert edge["total_low"] < 75.0 < edge["total_high"]


def test_the_borderline_threshold_comes_from_the_config() -> None:
    scores, reviews = spread_year()
    lax = CFG.model_copy(update={"stability": CFG.stability.model_copy(update={"borderline_share": 1.0})})
    assert not unit_stability(scores, reviews, lax, resamples=200)["borderline"].any()


def test_the_interval_holds_the_total_of_unanimous_reviews_exactly() -> None:
    values = {"SAME": [70.0] * 5, "OTHER": [60.0, 80.0, 70.0, 65.0, 75.0], "THIRD": [50.0] * 4}
    scores, reviews = year(values, dict.fromkeys(values, 70.0))
    same = unit_stability(scores, reviews, CFG, resamples=100).set_index("unit_id").loc["SAME"]
    assert same["total_low"] == same["total_high"] == pytest.approx(same["total"])


def test_resampled_grades_follow_assign_grades_including_the_excellent_quota() -> None:
    rng = np.random.default_rng(3)
    totals = np.round(rng.uniform(55, 100, (4, 60)), 1)
    totals[0, :15] = 90.0  # a tie across the quota of ceil(0.2 × 60) = 12
    codes = grade_codes(totals, CFG)
    for row in range(totals.shape[0]):
        expected = assign_grades(pd.Series(totals[row]), pd.Series(True, index=range(60)), CFG)
        assert [GRADE_CODES[c] for c in codes[row]] == expected.tolist()


@pytest.mark.parametrize("budget", [10_000_000, 1_000_000, 120_000, 55_000])
def test_resampled_funding_follows_allocate(budget: int) -> None:
    rng = np.random.default_rng(4)
    totals = np.round(rng.uniform(55, 100, (3, 80)), 0)  # many ties
    cfg = with_overrides(CFG, budget=budget)
    codes = grade_codes(totals, cfg)
    funded = funded_mask(totals, codes, cfg)
    for row in range(totals.shape[0]):
        frame = pd.DataFrame(
            {
                "unit_id": [f"U{i:02d}" for i in range(80)],
                "total": totals[row],
                "grade": [GRADE_CODES[c] for c in codes[row]],
            }
        )
        reasons = allocate(frame, cfg).allocations.set_index("unit_id")["reason"]
        assert funded[row].tolist() == (frame["unit_id"].map(reasons) == "funded").tolist()


def test_median_is_refused_clearly() -> None:
    scores, reviews = spread_year()
    with pytest.raises(ConfigError, match="median"):
        unit_stability(scores, reviews, with_overrides(CFG, peer_method="median"))


def test_calibrated_stability_runs_on_the_years_reviewer_biases() -> None:
    scores, reviews = spread_year()
    out = unit_stability(scores, reviews, with_overrides(CFG, peer_method="calibrated"), resamples=200)
    assert set(out["unit_id"]) == set(scores["unit_id"])
    assert out.set_index("unit_id").loc["TOP", "grade_kept_share"] == 1.0


def test_a_zero_floor_funds_every_eligible_unit_in_every_resample() -> None:
    totals = np.array([[90.0, 80.0, 70.0], [76.0, 95.0, 50.0]])
    cfg = with_overrides(CFG, budget=0, floor=0)
    codes = grade_codes(totals, cfg)
    assert funded_mask(totals, codes, cfg).tolist() == [[True, True, False], [True, True, False]]
