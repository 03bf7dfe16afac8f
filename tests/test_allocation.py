"""Allocation (SPEC §8): hand-computed cases and property tests of the invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionflow.assessment import AllocationInfeasible, allocate, load_config
from unionflow.assessment.allocation import LEFTOVER_CODES, AllocationResult
from unionflow.assessment.config import AssessmentConfig, validate_config
from unionflow.reports.catalogue import catalogue
from unionflow.reports.leftover import leftover_sentence

BASE = load_config()


def config(**allocation: object) -> AssessmentConfig:
    """Default config with allocation fields replaced (and re-validated)."""
    return validate_config(
        BASE.model_copy(update={"allocation": BASE.allocation.model_copy(update=allocation)})
    )


def scores(*rows: tuple[str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "total", "grade"])


def amounts(result_frame: pd.DataFrame) -> dict[str, int]:
    return dict(zip(result_frame["unit_id"], result_frame["amount_cny"].tolist(), strict=True))


def reasons(result_frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result_frame["unit_id"], result_frame["reason"], strict=True))


# ------------------------------------------------------------- hand-computed cases


def test_proportional_amounts_clamp_at_floor_and_cap() -> None:
    # pass_mark 70 → w = 30, 20, 10, 5. With λ = 700: A 21000 → cap 20000, B 14000, C 7000,
    # D 3500 → floor 5000; 20000 + 14000 + 7000 + 5000 = 46000 = B.
    cfg = config(budget=46000, floor=5000, cap=20000, step=100, pass_mark=70.0)
    s = scores(("A", 100, "excellent"), ("B", 90, "good"), ("C", 80, "good"), ("D", 75, "good"))
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 20000, "B": 14000, "C": 7000, "D": 5000}
    assert result.lam == pytest.approx(700.0)
    assert (result.allocated, result.unallocated) == (46000, 0)


def test_remainder_goes_to_the_largest_fractional_part_first() -> None:
    # w = 30.6, 20.4; λ = 100 → x = 3060, 2040 → 3000 + 2000, R = 100 → A (f 0.6) gets it.
    cfg = config(budget=5100, floor=1000, cap=10000, step=100)
    result = allocate(scores(("A", 90.6, "excellent"), ("B", 80.4, "good")), cfg)
    assert amounts(result.allocations) == {"A": 3100, "B": 2000}
    assert result.unallocated == 0


def test_remainder_stops_at_the_first_group_that_does_not_fit() -> None:
    # w = 30.4, 30.4, 20.2; λ = 100 → x = 3040, 3040, 2020 → 3000, 3000, 2000; R = 100.
    # The tied pair (f 0.4) would need 200: it does not fit, so distribution stops there and
    # C (f 0.2), which would fit, gets nothing either.
    cfg = config(budget=8100, floor=1000, cap=10000, step=100)
    s = scores(("A", 90.4, "excellent"), ("B", 90.4, "good"), ("C", 80.2, "good"))
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 3000, "B": 3000, "C": 2000}
    assert (result.allocated, result.unallocated) == (8000, 100)


def test_every_kept_unit_gets_the_cap_when_the_budget_allows() -> None:
    cfg = config(budget=100000, floor=5000, cap=20000, step=100)
    s = scores(("A", 90, "excellent"), ("B", 80, "good"), ("C", 76, "good"))
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 20000, "B": 20000, "C": 20000}
    assert (result.allocated, result.unallocated) == (60000, 40000)


def test_budget_cut_keeps_only_whole_tie_groups() -> None:
    # floor(12000 / 5000) = 2 units fit at the floor, but the 90s come as a pair: only A is kept,
    # and gets the whole budget (one unit: λ·w = 12000).
    cfg = config(budget=12000, floor=5000, cap=20000, step=100)
    s = scores(("A", 95, "excellent"), ("B", 90, "good"), ("C", 90, "good"), ("D", 80, "good"))
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 12000, "B": 0, "C": 0, "D": 0}
    assert reasons(result.allocations) == {
        "A": "funded",
        "B": "budget_exhausted",
        "C": "budget_exhausted",
        "D": "budget_exhausted",
    }


def test_budget_cut_keeps_a_tie_group_that_fits_exactly() -> None:
    cfg = config(budget=10000, floor=5000, cap=20000, step=100)
    s = scores(("A", 95, "excellent"), ("B", 95, "excellent"), ("C", 90, "good"))
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 5000, "B": 5000, "C": 0}
    assert reasons(result.allocations)["C"] == "budget_exhausted"


def test_no_unit_is_kept_when_the_top_tie_group_is_too_large() -> None:
    cfg = config(budget=10000, floor=5000, cap=20000, step=100)
    s = scores(("A", 95, "excellent"), ("B", 95, "excellent"), ("C", 95, "excellent"))
    result = allocate(s, cfg)
    assert set(reasons(result.allocations).values()) == {"budget_exhausted"}
    assert (result.allocated, result.unallocated) == (0, 10000)


def test_budget_below_the_floor_funds_nobody() -> None:
    cfg = config(budget=4000, floor=5000, cap=20000, step=100)
    result = allocate(scores(("A", 95, "excellent")), cfg)
    assert reasons(result.allocations) == {"A": "budget_exhausted"}
    assert result.unallocated == 4000


def test_units_outside_the_eligible_grades_get_nothing() -> None:
    cfg = config(budget=100000, floor=5000, cap=20000, step=100)
    s = scores(
        ("A", 90, "excellent"),
        ("B", 70, "pass"),
        ("C", 40, "fail"),
        ("D", np.nan, "incomplete"),
        ("E", np.nan, "missing"),
    )
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 20000, "B": 0, "C": 0, "D": 0, "E": 0}
    assert reasons(result.allocations) == {
        "A": "funded",
        "B": "ineligible",
        "C": "ineligible",
        "D": "ineligible",
        "E": "ineligible",
    }


def test_units_excluded_by_a_steward_are_ineligible() -> None:
    cfg = config(budget=100000, floor=5000, cap=20000, step=100)
    s = scores(("A", 90, "excellent"), ("B", 80, "good"))
    result = allocate(s, cfg, excluded_unit_ids=["A"])
    assert reasons(result.allocations) == {"A": "ineligible", "B": "funded"}


def test_no_eligible_unit_leaves_the_whole_budget_unallocated() -> None:
    result = allocate(scores(("A", 70, "pass")), BASE)
    assert (result.allocated, result.unallocated) == (0, BASE.allocation.budget)


def test_weight_total_uses_the_total_itself() -> None:
    # w = 90, 60 (not 30, 0): λ = 150 / 150 → 9000, 6000.
    cfg = config(
        budget=15000,
        floor=1000,
        cap=10000,
        step=100,
        weight="total",
        eligible_grades=("excellent", "good", "pass"),
    )
    result = allocate(scores(("A", 90, "excellent"), ("B", 60, "pass")), cfg)
    assert amounts(result.allocations) == {"A": 9000, "B": 6000}


def test_zero_weight_units_sit_at_the_floor() -> None:
    # B is exactly at the pass mark (w = 0): floor; A takes the rest.
    cfg = config(budget=15000, floor=1000, cap=20000, step=100, eligible_grades=("excellent", "good", "pass"))
    result = allocate(scores(("A", 90, "excellent"), ("B", 60, "pass")), cfg)
    assert amounts(result.allocations) == {"A": 14000, "B": 1000}


def test_totals_equal_up_to_float_noise_get_equal_amounts() -> None:
    cfg = config(budget=10000, floor=1000, cap=10000, step=100)
    s = scores(("A", 80.1, "good"), ("B", 80.1 + 1e-12, "good"), ("C", 90.7, "excellent"))
    result = amounts(allocate(s, cfg).allocations)
    assert result["A"] == result["B"]


def test_a_budget_that_funds_everyone_at_exactly_the_floor_survives_float_noise() -> None:
    # w = 84.62 - 60 = 24.620000000000005 and 105 / w * w = 105.00000000000001 > B in floats:
    # the first segment of the λ equation must still be found (found by the property below).
    cfg = config(budget=105, floor=105, cap=112, step=7)
    result = allocate(scores(("U000", 84.62, "excellent")), cfg)
    assert amounts(result.allocations) == {"U000": 105}
    assert (result.allocated, result.unallocated) == (105, 0)


def test_rows_are_sorted_by_amount_then_unit_id() -> None:
    cfg = config(budget=100000, floor=5000, cap=20000, step=100)
    s = scores(("C", 90, "good"), ("B", 70, "pass"), ("A", 91, "excellent"))
    frame = allocate(s, cfg).allocations
    assert frame["unit_id"].tolist() == ["A", "C", "B"]
    assert list(frame.columns) == ["unit_id", "total", "grade", "amount_cny", "reason"]
    assert frame["amount_cny"].dtype == np.int64


def test_tiered_pays_the_fixed_amount_of_each_grade() -> None:
    cfg = config(method="tiered", budget=100000, tiered={"excellent": 15000, "good": 8000})
    s = scores(("A", 95, "excellent"), ("B", 80, "good"), ("C", 65, "pass"))
    result = allocate(s, cfg)
    assert amounts(result.allocations) == {"A": 15000, "B": 8000, "C": 0}
    assert (result.allocated, result.unallocated) == (23000, 77000)


def test_tiered_over_budget_says_by_how_much() -> None:
    cfg = config(method="tiered", budget=30000, tiered={"excellent": 15000, "good": 8000})
    s = scores(("A", 95, "excellent"), ("B", 90, "excellent"), ("C", 80, "good"))
    with pytest.raises(AllocationInfeasible, match="need 8000 CNY more than the budget 30000"):
        allocate(s, cfg)


# --------------------------------------------------------------- property tests


@st.composite
def allocation_cases(draw: st.DrawFn) -> tuple[AssessmentConfig, pd.DataFrame]:
    step = draw(st.sampled_from([1, 7, 100]))
    floor_units = draw(st.integers(0, 60))
    cap_units = draw(st.integers(floor_units, 250))
    n = draw(st.integers(0, 30))
    # Budgets around n·L and n·U so both "too many units" and "all at the cap" occur.
    budget_units = draw(st.integers(0, max(1, n * cap_units + 50)))
    # Few distinct totals (two decimals) → many ties; some units ineligible.
    pool = draw(st.lists(st.integers(7500, 10000), min_size=1, max_size=6))
    totals = [draw(st.sampled_from(pool)) / 100 for _ in range(n)]
    grades = [draw(st.sampled_from(["excellent", "good", "good", "pass"])) for _ in range(n)]
    cfg = config(budget=budget_units * step, floor=floor_units * step, cap=cap_units * step, step=step)
    frame = pd.DataFrame({"unit_id": [f"U{i:03d}" for i in range(n)], "total": totals, "grade": grades})
    return cfg, frame


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(allocation_cases())
def test_funded_amounts_stay_within_floor_and_cap(case: tuple[AssessmentConfig, pd.DataFrame]) -> None:
    cfg, s = case
    frame = allocate(s, cfg).allocations
    funded = frame.loc[frame["reason"] == "funded", "amount_cny"]
    assert (funded >= cfg.allocation.floor).all()
    assert (funded <= cfg.allocation.cap).all()
    assert (frame.loc[frame["reason"] != "funded", "amount_cny"] == 0).all()


@PROPERTY
@given(allocation_cases())
def test_amounts_never_exceed_the_budget(case: tuple[AssessmentConfig, pd.DataFrame]) -> None:
    cfg, s = case
    result = allocate(s, cfg)
    assert result.allocated == int(result.allocations["amount_cny"].sum())
    assert result.allocated <= cfg.allocation.budget
    assert result.allocated + result.unallocated == cfg.allocation.budget


@PROPERTY
@given(allocation_cases())
def test_amounts_are_multiples_of_the_step(case: tuple[AssessmentConfig, pd.DataFrame]) -> None:
    cfg, s = case
    frame = allocate(s, cfg).allocations
    assert (frame["amount_cny"] % cfg.allocation.step == 0).all()


@PROPERTY
@given(allocation_cases())
def test_equal_totals_get_equal_amounts_and_higher_never_less(
    case: tuple[AssessmentConfig, pd.DataFrame],
) -> None:
    cfg, s = case
    frame = allocate(s, cfg).allocations
    eligible = frame[frame["grade"].isin(cfg.allocation.eligible_grades)]
    per_total = eligible.groupby("total")["amount_cny"].agg(["min", "max"]).sort_index()
    assert (per_total["min"] == per_total["max"]).all()
    assert per_total["min"].is_monotonic_increasing


@PROPERTY
@given(allocation_cases(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(
    case: tuple[AssessmentConfig, pd.DataFrame], rnd: object
) -> None:
    cfg, s = case
    order = list(range(len(s)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    first = allocate(s, cfg)
    second = allocate(s.iloc[order], cfg)
    pd.testing.assert_frame_equal(first.allocations, second.allocations)
    assert (first.allocated, first.unallocated) == (second.allocated, second.unallocated)


@PROPERTY
@given(allocation_cases())
def test_budget_cut_funds_at_most_what_the_floor_allows(
    case: tuple[AssessmentConfig, pd.DataFrame],
) -> None:
    cfg, s = case
    a = cfg.allocation
    frame = allocate(s, cfg).allocations
    n_funded = int((frame["reason"] == "funded").sum())
    if a.floor > 0:
        assert n_funded <= a.budget // a.floor
    exhausted = frame.loc[frame["reason"] == "budget_exhausted", "total"]
    funded = frame.loc[frame["reason"] == "funded", "total"]
    if len(exhausted) and len(funded):
        assert exhausted.max() < funded.min()


# ------------------------------------------------------------------ unallocated remainder explained


def note(result: AllocationResult, lang: str = "en") -> str | None:
    """The allocation summary's line about the remainder, as the console prints it."""
    reason = result.unallocated_reason
    if reason is None:
        return None
    return leftover_sentence(result.unallocated, reason.code, reason.params, catalogue(lang))


def test_at_most_one_step_left_needs_no_explanation() -> None:
    result = allocate(scores(("A", 90.0, "good"), ("B", 80.0, "good")), config(budget=30_000))
    assert result.unallocated <= 100
    assert note(result) is None


def test_money_left_because_every_unit_is_at_the_cap_is_explained() -> None:
    result = allocate(scores(("A", 90.0, "excellent"), ("B", 80.0, "good")), config())
    assert result.unallocated == 1_000_000 - 2 * 20_000
    assert note(result) == (
        "960000 CNY stay unallocated: every one of the 2 funded units is at the cap 20000"
    )


def test_money_left_because_a_tie_group_does_not_fit_at_the_floor_is_explained() -> None:
    tied = scores(("A", 80.0, "good"), ("B", 80.0, "good"), ("C", 80.0, "good"))
    result = allocate(tied, config(budget=10_000))
    assert result.unallocated == 10_000
    text = note(result)
    assert text is not None
    assert "next tie group (3 units with total 80.0000) would need 15000 CNY at the floor 5000" in text


def test_money_left_because_equal_units_cannot_share_the_remainder_is_explained() -> None:
    seven = scores(*((f"U{n}", 80.0, "good") for n in range(7)))
    result = allocate(seven, config(budget=10_000, floor=1_000, cap=5_000))
    assert set(amounts(result.allocations).values()) == {1_400}
    assert result.unallocated == 200
    assert note(result) == (
        "200 CNY stay unallocated: the next group of 7 units with equal amounts would need 700 CNY "
        "(100 each); equal totals get equal amounts"
    )


def test_money_left_because_nobody_is_eligible_is_explained() -> None:
    result = allocate(scores(("A", 61.0, "pass")), config())
    assert note(result) == (
        "1000000 CNY stay unallocated: no unit is eligible (allocation.eligible_grades: excellent, good)"
    )


def test_money_left_because_tiered_amounts_fall_short_of_the_budget_is_explained() -> None:
    cfg = config(method="tiered", budget=100000, tiered={"excellent": 15000, "good": 8000})
    result = allocate(scores(("A", 90.0, "excellent"), ("B", 80.0, "good")), cfg)
    assert note(result) == (
        "77000 CNY stay unallocated: "
        "the tiered amounts of the 2 eligible units add up to less than the budget"
    )
    assert note(result, "zh") == "77000 元未分配：2 家符合条件单位的分档奖补金额合计少于资金总额"


def test_the_remainder_is_explained_in_chinese_with_grade_names_not_codes() -> None:
    result = allocate(scores(("A", 61.0, "pass")), config())
    zh = catalogue("zh")
    grades = "、".join(zh.code("grade", g) for g in ("excellent", "good"))
    assert note(result, "zh") == f"1000000 元未分配：没有符合奖补条件的单位（可获奖补的等级：{grades}）"


def test_every_leftover_reason_has_a_sentence_with_the_same_figures_in_both_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    en, zh = catalogue("en").sections["leftover"], catalogue("zh").sections["leftover"]
    assert set(en) == set(zh) == set(LEFTOVER_CODES)
    for code in LEFTOVER_CODES:
        assert fields(en[code]) == fields(zh[code]), code
