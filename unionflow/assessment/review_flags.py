"""Review flags for data stewards (SPEC §7): reported, never silently applied.

* ``mutual_inflation`` — A and B reviewed each other and each review's mean over criteria exceeds
  the other reviewers' mean for that reviewee by more than the margin; one row per unordered pair
  (``reviewer_unit_id`` < ``reviewee_unit_id``).
* ``flat_reviewer`` — a reviewer with ≥ 4 reviews whose score vector (all five criteria) is the
  same in every review.
* ``contrarian`` — a reviewer with ≥ 4 reviews that have other reviewers, whose per-review mean
  correlates (Pearson) below the threshold with the other reviewers' mean for the same reviewee.
* ``wide_disagreement`` — a reviewee whose reviewers disagree: on at least one criterion, its
  highest and lowest score differ by more than the configured range (reviewer column empty).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from unionflow.assessment.config import CRITERIA, AssessmentConfig
from unionflow.assessment.membership import id_codes
from unionflow.assessment.peer import check_reviews

FLAG_COLUMNS: tuple[str, ...] = ("flag", "reviewer_unit_id", "reviewee_unit_id", "evidence")

#: An id column as `id_codes` gives it: sorted integer codes per row, and the ids they stand for.
Codes = tuple[np.ndarray, np.ndarray]

#: Below this sum of squared deviations a series counts as constant (correlation undefined).
_CONSTANT_EPS = 1e-12


def _evidence(records: list[dict[str, Any]]) -> list[str]:
    # Only flagged rows reach here (a handful), so per-row JSON is cheap.
    return [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records]


def _frame(flag: str, reviewer: Any, reviewee: Any, evidence: list[str]) -> pd.DataFrame:
    reviewee_col = [None] * len(evidence) if reviewee is None else list(np.asarray(reviewee, dtype=object))
    return pd.DataFrame(
        {
            "flag": pd.Series([flag] * len(evidence), dtype=object),
            "reviewer_unit_id": pd.Series(list(np.asarray(reviewer, dtype=object)), dtype=object),
            "reviewee_unit_id": pd.Series(reviewee_col, dtype=object),
            "evidence": pd.Series(evidence, dtype=object),
        }
    )


def review_means(reviews: pd.DataFrame, reviewee_codes: np.ndarray | None = None) -> pd.DataFrame:
    """Per review: its mean over criteria and the other reviewers' mean for the same reviewee.

    Returns ``reviewer_unit_id, reviewee_unit_id, own_mean, others_mean, n_others``;
    ``others_mean`` is NaN when nobody else reviewed that reviewee. ``reviewee_codes``: the
    reviewees' `id_codes`, when the caller has them already.
    """
    check_reviews(reviews)
    # Integer sums keep "others' mean" exact: (group sum − own sum) / (5 × (count − 1)).
    own_sum = reviews[list(CRITERIA)].to_numpy(dtype=np.float64).sum(axis=1)
    reviewee = reviews["reviewee_unit_id"].to_numpy()
    if reviewee_codes is None:
        reviewee_codes = id_codes(reviews["reviewee_unit_id"])[0]
    grouped = pd.Series(own_sum).groupby(reviewee_codes, sort=False)
    group_sum = grouped.transform("sum").to_numpy()
    count = grouped.transform("size").to_numpy(dtype=np.float64)
    n_crit = float(len(CRITERIA))
    with np.errstate(divide="ignore", invalid="ignore"):
        others = np.where(count > 1, (group_sum - own_sum) / (n_crit * (count - 1.0)), np.nan)
    return pd.DataFrame(
        {
            "reviewer_unit_id": reviews["reviewer_unit_id"].to_numpy(),
            "reviewee_unit_id": reviewee,
            "own_mean": own_sum / n_crit,
            "others_mean": others,
            "n_others": (count - 1).astype(np.int64),
        }
    )


def _mutual_inflation(means: pd.DataFrame, margin: float) -> pd.DataFrame:
    inflated = means[(means["own_mean"] - means["others_mean"]) > margin]
    back = inflated.rename(
        columns={
            "reviewer_unit_id": "reviewee_unit_id",
            "reviewee_unit_id": "reviewer_unit_id",
            "own_mean": "back_mean",
            "others_mean": "back_others_mean",
        }
    )[["reviewer_unit_id", "reviewee_unit_id", "back_mean", "back_others_mean"]]
    pairs = inflated.merge(back, on=["reviewer_unit_id", "reviewee_unit_id"], how="inner")
    # Both directions match each other; keep one row per unordered pair.
    pairs = pairs[pairs["reviewer_unit_id"] < pairs["reviewee_unit_id"]]
    pairs = pairs.sort_values(["reviewer_unit_id", "reviewee_unit_id"], kind="stable")
    records = [
        {
            "a": a,
            "b": b,
            "a_to_b_mean": round(float(ab), 4),
            "others_mean_for_b": round(float(ob), 4),
            "b_to_a_mean": round(float(ba), 4),
            "others_mean_for_a": round(float(oa), 4),
            "margin": margin,
        }
        for a, b, ab, ob, ba, oa in zip(
            pairs["reviewer_unit_id"],
            pairs["reviewee_unit_id"],
            pairs["own_mean"],
            pairs["others_mean"],
            pairs["back_mean"],
            pairs["back_others_mean"],
            strict=True,
        )
    ]
    return _frame(
        "mutual_inflation", pairs["reviewer_unit_id"], pairs["reviewee_unit_id"], _evidence(records)
    )


def _flat_reviewers(reviews: pd.DataFrame, reviewer: Codes, min_reviews: int) -> pd.DataFrame:
    codes, reviewers = reviewer
    grouped = reviews[list(CRITERIA)].groupby(codes, sort=True)
    n = grouped.size()
    # One distinct value per criterion: the highest equals the lowest (criteria are never empty).
    flat = ((grouped.max() == grouped.min()).all(axis=1) & (n >= min_reviews)).to_numpy()
    groups = n.index.to_numpy()[flat]
    first = grouped.first().to_numpy(dtype=np.float64)[flat]
    records = [
        {"n_reviews": int(count), "scores": dict(zip(CRITERIA, map(float, row), strict=True))}
        for count, row in zip(n.to_numpy()[flat], first, strict=True)
    ]
    return _frame("flat_reviewer", reviewers[groups], None, _evidence(records))


def _contrarians(means: pd.DataFrame, reviewer: Codes, min_reviews: int, threshold: float) -> pd.DataFrame:
    has_others = means["others_mean"].notna().to_numpy()
    pts = means[has_others]
    codes, reviewers = reviewer[0][has_others], reviewer[1]
    grouped = pts.groupby(codes, sort=False)
    # Centre within each reviewer before multiplying: the textbook sum formula loses precision
    # and could report a spurious correlation for a constant series.
    dx = pts["own_mean"] - grouped["own_mean"].transform("mean")
    dy = pts["others_mean"] - grouped["others_mean"].transform("mean")
    sums = (
        pd.DataFrame({"sxy": dx * dy, "sxx": dx * dx, "syy": dy * dy})
        .groupby(codes, sort=True)
        .agg(n=("sxy", "size"), sxy=("sxy", "sum"), sxx=("sxx", "sum"), syy=("syy", "sum"))
    )
    sums.index = pd.Index(reviewers[sums.index.to_numpy()], name="reviewer_unit_id")
    defined = (sums["sxx"] > _CONSTANT_EPS) & (sums["syy"] > _CONSTANT_EPS)
    corr: pd.Series = (sums["sxy"] / np.sqrt(sums["sxx"] * sums["syy"])).where(defined)
    hit = (sums["n"] >= min_reviews) & corr.notna() & (corr < threshold)
    sel = sums[hit.to_numpy()]
    records = [
        {"n_reviews": int(n), "correlation": round(float(r), 6), "threshold": threshold}
        for n, r in zip(sel["n"], corr[hit.to_numpy()], strict=True)
    ]
    return _frame("contrarian", sel.index, None, _evidence(records))


def _wide_disagreement(reviews: pd.DataFrame, reviewee: Codes, limit: float) -> pd.DataFrame:
    codes, reviewees = reviewee
    grouped = reviews[list(CRITERIA)].groupby(codes, sort=True)
    spread = grouped.max() - grouped.min()
    spread.index = pd.Index(reviewees[spread.index.to_numpy()], name="reviewee_unit_id")
    wide = spread[(spread > limit).any(axis=1)]
    records = [
        {
            "range": limit,
            "spread": {c: int(v) for c, v in row.items()},
            "widest": str(row.idxmax()),
        }
        for _, row in wide.iterrows()
    ]
    frame = _frame("wide_disagreement", [None] * len(wide), wide.index, _evidence(records))
    return frame


def review_flags(reviews: pd.DataFrame, cfg: AssessmentConfig) -> pd.DataFrame:
    """Flags on the valid reviews of a year.

    Returns ``flag, reviewer_unit_id, reviewee_unit_id, evidence`` — ``reviewee_unit_id`` is
    None for reviewer-level flags, ``evidence`` is JSON text with sorted keys — sorted by flag,
    reviewer, reviewee.
    """
    rf = cfg.review_flags
    # Each id column is encoded once, for every flag that groups by it.
    reviewer, reviewee = id_codes(reviews["reviewer_unit_id"]), id_codes(reviews["reviewee_unit_id"])
    means = review_means(reviews, reviewee[0])
    parts = [
        _contrarians(means, reviewer, rf.contrarian_min_reviews, rf.contrarian_max_correlation),
        _flat_reviewers(reviews, reviewer, rf.flat_min_reviews),
        _mutual_inflation(means, rf.mutual_inflation_margin),
        _wide_disagreement(reviews, reviewee, rf.wide_disagreement_range),
    ]
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(
        ["flag", "reviewer_unit_id", "reviewee_unit_id"], kind="stable", na_position="first"
    )
    return out.reset_index(drop=True)[list(FLAG_COLUMNS)]
