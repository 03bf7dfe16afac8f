"""Peer score (SPEC §7): per-criterion aggregation of valid reviews, then a weighted sum.

Methods: ``trimmed_mean`` (default), ``median``, ``calibrated`` (reviewer leniency removed
before the trimmed mean) and ``pg1`` (reviewer bias and reliability modelled together).
See docs/scoring.md for the exact definitions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from unionflow.assessment.config import CRITERIA, PEER_METHODS, AssessmentConfig, ConfigError
from unionflow.assessment.membership import id_codes
from unionflow.assessment.pg1 import pg1_fit

REVIEW_COLUMNS: tuple[str, ...] = ("review_id", "reviewer_unit_id", "reviewee_unit_id", *CRITERIA)


def check_reviews(reviews: pd.DataFrame) -> None:
    """Raise ValueError when ``reviews`` lacks a required column."""
    missing = [c for c in REVIEW_COLUMNS if c not in reviews.columns]
    if missing:
        raise ValueError(f"reviews lack columns: {', '.join(missing)}")


def reviewer_bias(reviews: pd.DataFrame, cfg: AssessmentConfig) -> pd.DataFrame:
    """Shrunk leniency of each reviewer (the ``calibrated`` method).

    For every (review, criterion) item whose reviewee has at least one other reviewer:
    deviation = score − mean of the other reviewers' scores for that reviewee and criterion.
    bias = mean deviation over the reviewer's items; n_r = number of its reviews that have such
    items; shrunk_bias = bias × n_r / (n_r + k), k = ``peer.calibration_shrinkage``.

    Returns ``reviewer_unit_id, n_r, bias, shrunk_bias`` (one row per reviewer, sorted).
    """
    check_reviews(reviews)
    scores = reviews[list(CRITERIA)].to_numpy(dtype=np.float64)
    reviewee = reviews["reviewee_unit_id"]
    count = reviewee.map(reviewee.value_counts()).to_numpy(dtype=np.float64)
    sums = (
        pd.DataFrame(scores, index=reviews.index)
        .groupby(reviewee.to_numpy(), sort=False)
        .transform("sum")
        .to_numpy()
    )
    has_others = count > 1
    with np.errstate(divide="ignore", invalid="ignore"):
        # Others' mean as (group sum − own) / (group count − 1): no self-join needed.
        others_mean = (sums - scores) / (count - 1.0)[:, None]
    deviation = np.where(has_others[:, None], scores - others_mean, 0.0)

    per_review = pd.DataFrame(
        {
            "reviewer_unit_id": reviews["reviewer_unit_id"].to_numpy(),
            "dev_sum": deviation.sum(axis=1),
            "contributes": has_others.astype(np.int64),
        }
    )
    agg = per_review.groupby("reviewer_unit_id", sort=True).agg(
        dev_sum=("dev_sum", "sum"), n_r=("contributes", "sum")
    )
    n_r = agg["n_r"].to_numpy(dtype=np.float64)
    items = n_r * len(CRITERIA)
    with np.errstate(divide="ignore", invalid="ignore"):
        bias = np.where(items > 0, agg["dev_sum"].to_numpy() / items, 0.0)
        k = cfg.peer.calibration_shrinkage
        factor = np.where(n_r + k > 0, n_r / (n_r + k), 0.0)
    return pd.DataFrame(
        {
            "reviewer_unit_id": agg.index.to_numpy(),
            "n_r": agg["n_r"].to_numpy(dtype=np.int64),
            "bias": bias,
            "shrunk_bias": bias * factor,
        }
    )


def peer_scores(reviews: pd.DataFrame, cfg: AssessmentConfig, method: str | None = None) -> pd.DataFrame:
    """Peer score per reviewee.

    Per reviewee and criterion over its n reviews: n ≥ ``trim_min_reviews`` (5) → drop one
    highest and one lowest value and average the rest; ``min_reviews`` (3) ≤ n < 5 → mean;
    n < 3 → NaN. ``median`` takes the median instead (same n ≥ 3 rule). ``calibrated``
    subtracts each reviewer's shrunk bias (:func:`reviewer_bias`) first, then trims.
    Peer score = Σ criterion weight × aggregate.

    Returns ``unit_id, n_reviews, peer_<criterion>…, peer_score`` sorted by ``unit_id``
    (reviewees only).
    """
    check_reviews(reviews)
    method = cfg.peer.method if method is None else method
    if method not in PEER_METHODS:
        raise ConfigError("peer.method", f"unknown value {method!r}")

    values = reviews[list(CRITERIA)].astype(np.float64).reset_index(drop=True)
    if method == "calibrated":
        bias = reviewer_bias(reviews, cfg).set_index("reviewer_unit_id")["shrunk_bias"]
        shift = reviews["reviewer_unit_id"].map(bias).fillna(0.0).to_numpy()
        values = values.sub(shift, axis=0)
    codes, reviewees = id_codes(reviews["reviewee_unit_id"])
    grouped = values.groupby(codes, sort=True)
    n = grouped.size()
    n_col = n.to_numpy(dtype=np.float64)[:, None]

    if method == "median":
        agg = grouped.median().to_numpy()
    elif method == "pg1":
        # Reviewer bias and reliability modelled together (unionflow.assessment.pg1).
        fitted, _ = pg1_fit(reviews)
        agg = fitted[[f"pg1_{c}" for c in CRITERIA]].to_numpy()
    else:
        total = grouped.sum().to_numpy()
        high = grouped.max().to_numpy()
        low = grouped.min().to_numpy()
        trim = n_col >= cfg.peer.trim_min_reviews
        with np.errstate(divide="ignore", invalid="ignore"):
            agg = np.where(trim, (total - high - low) / (n_col - 2.0), total / n_col)
    agg = np.where(n_col >= cfg.peer.min_reviews, agg, np.nan)

    out = pd.DataFrame({"unit_id": reviewees[n.index.to_numpy()], "n_reviews": n.to_numpy(dtype=np.int64)})
    score = np.zeros(len(out), dtype=np.float64)
    for j, criterion in enumerate(CRITERIA):
        out[f"peer_{criterion}"] = agg[:, j]
        score = score + cfg.peer.weights[criterion] * agg[:, j]
    out["peer_score"] = score
    return out
