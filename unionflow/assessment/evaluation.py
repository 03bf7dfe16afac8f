"""Peer methods measured against the truth (synthetic years, where the truth is known).

For one year: every method's peer scores are compared with the true peer scores (Spearman
correlation, RMSE on the 0–100 scale), and the funding decision each method leads to (SPEC §7
total and grade, SPEC §8 allocation, the current config) with the decision the true scores lead
to: the share of units funded by one and not the other. The indicator score is the same measured
value in both, so only the peer method differs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from unionflow.assessment.allocation import FUNDED, allocate
from unionflow.assessment.config import PEER_METHODS, AssessmentConfig
from unionflow.assessment.peer import peer_scores
from unionflow.assessment.scoring import assign_grades

METRIC_COLUMNS: tuple[str, ...] = ("method", "units", "spearman", "rmse", "funding_disagreement")


def funded_units(
    unit_ids: pd.Series, indicator: np.ndarray, peer: np.ndarray, cfg: AssessmentConfig
) -> np.ndarray:
    """Whether each unit is funded when its peer score is ``peer`` (NaN: insufficient reviews)."""
    t = cfg.total
    total = np.minimum(t.cap, t.indicator_weight * indicator + t.peer_weight * peer)
    frame = pd.DataFrame({"unit_id": unit_ids.to_numpy(), "total": total})
    frame["grade"] = assign_grades(frame["total"], pd.Series(True, index=frame.index), cfg)
    reasons = allocate(frame, cfg).allocations.set_index("unit_id")["reason"]
    return frame["unit_id"].map(reasons).eq(FUNDED).to_numpy()


def method_metrics(
    reviews: pd.DataFrame,
    truth: pd.DataFrame,
    cfg: AssessmentConfig,
    methods: Sequence[str] = PEER_METHODS,
) -> pd.DataFrame:
    """One row per method: :data:`METRIC_COLUMNS`.

    ``truth``: ``unit_id, true_peer, true_indicator``. Units without enough reviews for a method
    are left out of its correlation and RMSE and count as not funded.
    """
    truth = truth.sort_values("unit_id").reset_index(drop=True)
    indicator = truth["true_indicator"].to_numpy(dtype=np.float64)
    true_peer = truth["true_peer"].to_numpy(dtype=np.float64)
    funded_true = funded_units(truth["unit_id"], indicator, true_peer, cfg)
    rows = []
    for method in methods:
        estimate = peer_scores(reviews, cfg, method).set_index("unit_id")["peer_score"]
        peer = truth["unit_id"].map(estimate).to_numpy(dtype=np.float64)
        ok = np.isfinite(peer)
        rho = pd.Series(peer[ok]).rank().corr(pd.Series(true_peer[ok]).rank())
        rmse = float(np.sqrt(np.mean((peer[ok] - true_peer[ok]) ** 2)))
        funded = funded_units(truth["unit_id"], indicator, peer, cfg)
        rows.append(
            {
                "method": method,
                "units": int(ok.sum()),
                "spearman": float(rho),
                "rmse": rmse,
                "funding_disagreement": float(np.mean(funded != funded_true)),
            }
        )
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def evaluate(
    years: Sequence[tuple[pd.DataFrame, pd.DataFrame]], seeds: Sequence[int], cfg: AssessmentConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`method_metrics` of several years (one per seed) and their mean per method.

    Both tables add ``seed`` (``mean`` in the second) and ``rmse_change``: the RMSE relative to
    the trimmed mean's in the same rows (−0.25 = 25 % lower).
    """
    frames = [method_metrics(r, t, cfg).assign(seed=str(s)) for (r, t), s in zip(years, seeds, strict=True)]
    per_seed = pd.concat(frames, ignore_index=True)
    means = (
        per_seed.groupby("method", sort=False)[["units", "spearman", "rmse", "funding_disagreement"]]
        .mean()
        .reset_index()
        .assign(seed="mean")
    )
    for frame in (per_seed, means):
        keys = frame["seed"]
        reference = frame[frame["method"] == "trimmed_mean"].set_index("seed")["rmse"]
        frame["rmse_change"] = frame["rmse"].to_numpy() / keys.map(reference).to_numpy() - 1.0
    return per_seed, means
