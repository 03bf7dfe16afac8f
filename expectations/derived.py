"""Derived frames the GX suites validate, computed in pandas from the warehouse's records.

GX validates one dataframe per expectation; dataset-level facts (coverage, sums, per-unit review
counts, year-over-year ratios) are therefore computed here first, as columns of small frames, and
the suites hold only the bounds. Every frame carries a key column so a failing row can be named
(`KEYS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Key column of each batch, reported for failing rows (GX `unexpected_index_column_names`).
KEYS: dict[str, str] = {
    "year_summary": "year",
    "submissions": "unit_id",
    "reviews": "review_id",
    "reviewees": "unit_id",
    "reviewers": "reviewer_unit_id",
    "scores": "unit_id",
    "allocations": "unit_id",
    "allocation_summary": "allocation_run_id",
}

#: Indicators compared with the unit's previous-year accepted submission.
YOY_FIELDS = (
    "employees",
    "trainees",
    "skill_upgrades",
    "competition_participants",
    "innovation_results",
    "innovation_value_cny",
    "proposals_submitted",
    "workers_served",
)

CRITERIA = ("guidance", "skills", "innovation", "institution", "service")
GRADE_ORDER = {"excellent": 0, "good": 1, "pass": 2, "fail": 3}


def _per_employee(numerator: pd.Series, employees: pd.Series) -> pd.Series:
    # Employees < 1 is a contract failure, but guard anyway: a ratio must never be inf.
    denominator = employees.astype("float64").where(employees.astype("float64") >= 1)
    return numerator.astype("float64") / denominator


def jump_factor(current: pd.Series, previous: pd.Series) -> pd.Series:
    """How many times the larger of two values is the smaller one, smoothed by +1.

    (larger + 1) / (smaller + 1): symmetric (a rise and a fall count alike), defined for zeros,
    and small counts (0 → 3) do not look like huge jumps. Missing previous value → missing.
    """
    cur = current.astype("float64")
    prev = previous.astype("float64")
    larger = np.fmax(cur, prev)
    smaller = np.fmin(cur, prev)
    factor = (larger + 1.0) / (smaller + 1.0)
    return factor.where(cur.notna() & prev.notna())


def submission_frames(
    year: int, submissions: pd.DataFrame, active_units: pd.DataFrame, previous: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """`year_summary` and `submissions` for the submissions suites.

    `submissions`: the year's accepted submissions; `active_units`: units active in the year
    (unit_id); `previous`: the previous year's accepted submissions (may be empty).
    """
    active = set(active_units["unit_id"])
    frame = submissions.copy()
    frame["unit_active"] = frame["unit_id"].isin(active).to_numpy(dtype=bool)
    employees = frame["employees"]
    frame["trainees_per_employee"] = _per_employee(frame["trainees"], employees)
    frame["innovation_value_per_employee"] = _per_employee(frame["innovation_value_cny"], employees)
    frame["proposals_per_employee"] = _per_employee(frame["proposals_submitted"], employees)
    frame["yoy_jump_factor"], frame["yoy_jump_field"] = _year_over_year(frame, previous)
    submitting = frame.loc[frame["unit_active"], "unit_id"].nunique()
    summary = pd.DataFrame(
        {
            "year": [year],
            "active_units": [len(active)],
            "submitting_units": [submitting],
            "accepted_submissions": [len(frame)],
            # No active unit at all: coverage 0, so the critical minimum fails loudly.
            "coverage": [submitting / len(active) if active else 0.0],
        }
    )
    return {"year_summary": summary, "submissions": frame.reset_index(drop=True)}


def _year_over_year(frame: pd.DataFrame, previous: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The largest jump factor over `YOY_FIELDS` per submission, and the field it is in."""
    if frame.empty or previous.empty:
        empty = pd.Series(np.nan, index=frame.index, dtype="float64")
        return empty, pd.Series(None, index=frame.index, dtype="object")
    before = previous.drop_duplicates("unit_id", keep="last").set_index("unit_id")
    factors = pd.DataFrame(
        {
            field: jump_factor(frame[field], frame["unit_id"].map(before[field]))
            for field in YOY_FIELDS
            if field in frame and field in before
        },
        index=frame.index,
    )
    has_any = factors.notna().any(axis=1)
    largest = factors.max(axis=1, skipna=True).where(has_any)
    which = factors.fillna(-1.0).idxmax(axis=1).where(has_any)
    return largest, which


def review_frames(reviews: pd.DataFrame, active_units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`reviews`, `reviewees` and `reviewers` for the reviews suites.

    `reviews`: the year's accepted reviews; `active_units`: units active in the year.
    """
    frame = reviews.copy()
    scores = frame[list(CRITERIA)].astype("float64")
    frame["lowest_score"] = scores.min(axis=1)
    frame["highest_score"] = scores.max(axis=1)
    frame["self_review"] = (frame["reviewer_unit_id"] == frame["reviewee_unit_id"]).to_numpy(dtype=bool)
    frame["mean_score"] = scores.mean(axis=1)

    counts = frame.groupby("reviewee_unit_id").size()
    reviewees = pd.DataFrame({"unit_id": active_units["unit_id"].to_numpy()})
    reviewees["n_valid_reviews"] = reviewees["unit_id"].map(counts).fillna(0).astype("int64")

    grouped = frame.groupby("reviewer_unit_id")["mean_score"]
    reviewers = pd.DataFrame({"n_reviews": grouped.size(), "score_spread": grouped.std(ddof=0)})
    reviewers = reviewers.rename_axis("reviewer_unit_id").reset_index()
    return {"reviews": frame.reset_index(drop=True), "reviewees": reviewees, "reviewers": reviewers}


def grades_consistent(scores: pd.DataFrame) -> pd.Series:
    """Per score row: does its grade agree with its total?

    Config-free on purpose (the thresholds are configurable, and publication must not be blocked by
    a check that assumes the defaults): `missing`/`incomplete` exactly when the total is empty, and
    grades are monotone in the total (no unit with a higher total has a worse grade, equal totals
    have equal grades).
    """
    total = scores["total"].astype("float64")
    grade = scores["grade"].astype("object")
    unscored = grade.isin(["missing", "incomplete"])
    ok = (unscored == total.isna()).to_numpy(dtype=bool, copy=True)
    graded = ~unscored & total.notna() & grade.isin(list(GRADE_ORDER))
    if graded.any():
        rank = grade[graded].map(GRADE_ORDER).astype("int64")
        values = total[graded].round(6)  # float noise must not split a tie
        per_total = rank.groupby(values).agg(["min", "max"]).sort_index()
        # Worst grade among strictly higher totals, best grade among strictly lower totals.
        worst_higher = per_total["max"].iloc[::-1].cummax().shift(1).iloc[::-1]
        best_lower = per_total["min"].cummin().shift(1)
        tie_agrees = per_total["min"] == per_total["max"]
        own = rank.to_numpy()
        higher = values.map(worst_higher).to_numpy(dtype="float64")
        lower = values.map(best_lower).to_numpy(dtype="float64")
        monotone = (
            (np.isnan(higher) | (higher <= own))
            & (np.isnan(lower) | (lower >= own))
            & values.map(tie_agrees).to_numpy(dtype=bool)
        )
        ok[np.flatnonzero(graded.to_numpy())] &= monotone
    return pd.Series(ok, index=scores.index, dtype=bool)


def score_frames(
    scores: pd.DataFrame, allocations: pd.DataFrame, run: dict[str, object]
) -> dict[str, pd.DataFrame]:
    """`scores`, `allocations` and `allocation_summary` for the scores suite.

    `run` is the allocation run (allocation_run_id, budget, floor, cap, step, allocated).
    """
    frame = scores.copy()
    frame["grade_consistent"] = grades_consistent(frame).to_numpy()

    budget, floor, cap, step = (int(str(run[key])) for key in ("budget", "floor", "cap", "step"))
    alloc = allocations.copy()
    amount = alloc["amount_cny"].astype("int64")
    funded = alloc["reason"].eq("funded").to_numpy(dtype=bool)
    in_bounds = (amount >= floor) & (amount <= cap) & (amount % max(step, 1) == 0)
    alloc["amount_within_bounds"] = np.where(funded, in_bounds, amount == 0).astype(bool)

    allocated = int(amount.sum())
    summary = pd.DataFrame(
        {
            "allocation_run_id": [int(str(run["allocation_run_id"]))],
            "budget": [budget],
            "allocated": [allocated],
            "budget_headroom": [budget - allocated],
        }
    )
    return {"scores": frame.reset_index(drop=True), "allocations": alloc, "allocation_summary": summary}
