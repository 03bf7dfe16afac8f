"""Yearly scoring (SPEC §7): indicator + peer + bonus → total, ranks, grades and flags."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import pandas as pd

from unionflow.assessment.config import CRITERIA, AssessmentConfig
from unionflow.assessment.indicators import indicator_scores
from unionflow.assessment.membership import is_member, looked_up, positions
from unionflow.assessment.peer import check_reviews, peer_scores

#: Columns of :func:`score_year` in order (per-criterion peer columns follow them).
SCORE_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "name",
    "level",
    "indicator_score",
    "peer_score",
    "bonus",
    "total",
    "rank",
    "rank_in_level",
    "grade",
    "n_reviews",
    "flags",
)

#: Totals are compared at this many decimals for ranks, ties and grade thresholds, so that
#: float noise (84.99999999999999 vs 85) never splits a tie or moves a grade boundary.
TOTAL_DECIMALS = 9

INSUFFICIENT_REVIEWS = "insufficient_reviews"


def total_key(total: pd.Series) -> pd.Series:
    """Totals rounded to :data:`TOTAL_DECIMALS`: the value ranks, ties and grades compare."""
    return total.astype(np.float64).round(TOTAL_DECIMALS)


def excellent_quota(share: float, n_scored: int) -> int:
    """ceil(share × n_scored), computed on the decimal value of ``share`` (0.2 is exactly 1/5)."""
    return math.ceil(Fraction(repr(share)) * n_scored)


def competition_rank(key: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Descending rank sharing ties (1, 2, 2, 4); <NA> where ``key`` is NaN."""
    if groups is None:
        ranks = key.rank(method="min", ascending=False)
    else:
        ranks = key.groupby(groups, dropna=False, sort=False).rank(method="min", ascending=False)
    return ranks.astype(pd.Int64Dtype())


def assign_grades(total: pd.Series, has_submission: pd.Series, cfg: AssessmentConfig) -> pd.Series:
    """Grade per unit (positionally aligned with ``total``).

    ``missing`` without an accepted submission (takes precedence); ``incomplete`` when the total
    is NaN (insufficient reviews); else ``excellent`` if total ≥ 85 and rank ≤ ceil(0.2 ×
    n_scored), ``good`` if ≥ 75, ``pass`` if ≥ 60, ``fail`` below. Totals are compared rounded
    to :data:`TOTAL_DECIMALS`; tied units at the top-share boundary share the rank and so all
    qualify.
    """
    g = cfg.grades
    key = total_key(total.reset_index(drop=True))
    rank = competition_rank(key).to_numpy(dtype=np.float64, na_value=np.nan)
    quota = excellent_quota(g.excellent_top_share, int(key.notna().sum()))
    k = key.to_numpy()
    submitted = has_submission.to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):
        grade = np.select(
            [
                ~submitted,
                np.isnan(k),
                (k >= g.excellent_min) & (rank <= quota),
                k >= g.good_min,
                k >= g.pass_min,
            ],
            ["missing", "incomplete", "excellent", "good", "pass"],
            default="fail",
        )
    return pd.Series(grade, index=total.index, dtype=object)


def unit_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """Turn :func:`assessment.review_flags.review_flags` output into ``unit_id, flag`` rows.

    ``mutual_inflation`` concerns both units of the pair; reviewer-level flags (reviewee
    empty) concern the reviewer; ``wide_disagreement`` (reviewer empty) the reviewee.
    Suitable as ``score_year(extra_flags=...)``.
    """
    # wide_disagreement has no reviewer: it concerns the reviewee only.
    reviewer = flags.loc[flags["reviewer_unit_id"].notna(), ["reviewer_unit_id", "flag"]].rename(
        columns={"reviewer_unit_id": "unit_id"}
    )
    reviewee = flags.loc[flags["reviewee_unit_id"].notna(), ["reviewee_unit_id", "flag"]].rename(
        columns={"reviewee_unit_id": "unit_id"}
    )
    out = pd.concat([reviewer, reviewee], ignore_index=True).drop_duplicates()
    return out.sort_values(["unit_id", "flag"], kind="stable").reset_index(drop=True)


def _join_flags(unit_ids: pd.Series, long: pd.DataFrame) -> pd.Series:
    """``;``-joined, sorted, de-duplicated flags per unit ("" when none), aligned to unit_ids."""
    long = long[is_member(long["unit_id"], unit_ids)].drop_duplicates()
    if long.empty:
        return pd.Series("", index=unit_ids.index, dtype=object)
    joined = long.sort_values(["unit_id", "flag"]).groupby("unit_id", sort=False)["flag"].agg(";".join)
    return unit_ids.map(joined).fillna("").astype(object)


def score_year(
    units: pd.DataFrame,
    submissions: pd.DataFrame,
    reviews: pd.DataFrame,
    cfg: AssessmentConfig,
    *,
    excluded_review_ids: Iterable[object] = (),
    extra_flags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score one year: one row per unit in ``units``.

    ``units``: ``unit_id, name, level``; ``submissions``: one accepted submission per unit;
    ``reviews``: valid current reviews (``excluded_review_ids`` are dropped first);
    ``extra_flags``: optional ``unit_id, flag`` rows merged into ``flags`` (e.g.
    :func:`unit_flags` of the review flags).

    Returns :data:`SCORE_COLUMNS` then ``peer_<criterion>`` columns, sorted by rank then
    unit_id, unranked units last by unit_id. ``rank``/``rank_in_level`` are nullable Int64.
    """
    if units["unit_id"].duplicated().any():
        raise ValueError("units must list each unit_id once")
    check_reviews(reviews)
    excluded = pd.Index(list(excluded_review_ids))
    if len(excluded):
        reviews = reviews[~reviews["review_id"].isin(excluded)]

    out = units[["unit_id", "name", "level"]].reset_index(drop=True).copy()
    ind = indicator_scores(out, submissions, cfg)
    peer = peer_scores(reviews, cfg)

    # Each unit's row in the indicator, peer and submission tables (-1: none), found once.
    ind_at = positions(out["unit_id"], ind["unit_id"])
    peer_at = positions(out["unit_id"], peer["unit_id"])
    submission_at = positions(out["unit_id"], submissions["unit_id"])  # the first, if several
    has_submission = ind_at >= 0
    out["indicator_score"] = looked_up(ind["indicator_score"].to_numpy(), ind_at)
    out["peer_score"] = looked_up(peer["peer_score"].to_numpy(), peer_at)

    honors_column = submissions["craftsmen_honors"].to_numpy(dtype=np.float64, na_value=np.nan)
    honors = looked_up(honors_column, submission_at)
    bonus = np.minimum(cfg.bonus.cap, cfg.bonus.per_honor * honors)
    out["bonus"] = np.where(has_submission, bonus, 0.0)

    t = cfg.total
    # NaN indicator or peer propagates to NaN total (np.minimum keeps NaN).
    raw_total = t.indicator_weight * out["indicator_score"] + t.peer_weight * out["peer_score"] + out["bonus"]
    out["total"] = np.minimum(t.cap, raw_total.to_numpy())

    key = total_key(out["total"])
    out["rank"] = competition_rank(key)
    out["rank_in_level"] = competition_rank(key, out["level"])
    out["grade"] = assign_grades(out["total"], pd.Series(has_submission), cfg)

    out["n_reviews"] = np.nan_to_num(looked_up(peer["n_reviews"].to_numpy(), peer_at)).astype(np.int64)

    insufficient = out.loc[out["n_reviews"] < cfg.peer.min_reviews, ["unit_id"]].assign(
        flag=INSUFFICIENT_REVIEWS
    )
    long = [insufficient]
    if extra_flags is not None and len(extra_flags):
        long.append(extra_flags[["unit_id", "flag"]])
    out["flags"] = _join_flags(out["unit_id"], pd.concat(long, ignore_index=True))

    for criterion in CRITERIA:
        col = f"peer_{criterion}"
        out[col] = looked_up(peer[col].to_numpy(), peer_at)

    # Deterministic order: rank, then unit_id; unranked (<NA>) last by unit_id.
    order = out.assign(_unranked=out["rank"].isna(), _rank=out["rank"].fillna(0)).sort_values(
        ["_unranked", "_rank", "unit_id"], kind="stable"
    )
    return out.loc[order.index].reset_index(drop=True)
