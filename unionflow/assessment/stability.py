"""Grade and funding stability: how far one reviewer more or less could tip a unit (a draft).

For every scored unit its valid reviews are resampled with replacement (a seeded bootstrap,
B resamples of the same size), and the peer score, total, grade and funding decision are
recomputed under the current config, all units of a resample together (the excellent quota and
the budget are shared). Everything is whole-array numpy: a resample is a row, a unit a column,
and resamples are drawn in chunks so memory stays bounded; no Python loop runs per resample
and unit. The random stream does not depend on the chunk size, so a seed gives the same bytes.

``calibrated`` uses the reviewer biases of the full year for every resample (re-estimating them
per resample would need every reviewer's other reviews resampled too). ``median`` is not
supported here (see docs/scoring.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from unionflow.assessment.allocation import FUNDED, allocate
from unionflow.assessment.config import CRITERIA, AssessmentConfig, ConfigError
from unionflow.assessment.peer import check_reviews, reviewer_bias
from unionflow.assessment.scoring import TOTAL_DECIMALS, excellent_quota

#: Grades a scored unit can get, in code order (code = position).
GRADE_CODES: tuple[str, ...] = ("excellent", "good", "pass", "fail")
STABILITY_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "total",
    "grade",
    "n_reviews",
    "total_low",
    "total_high",
    "grade_kept_share",
    "funded",
    "funded_share",
    "borderline",
)
#: Bytes one chunk of gathered review values may take (B is cut into chunks of resamples).
_CHUNK_BYTES = 64 * 1024 * 1024


def _scored_reviews(
    scores: pd.DataFrame, reviews: pd.DataFrame, cfg: AssessmentConfig
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Scored units (finite total) in unit_id order, their review values grouped by unit
    (contiguous), and each unit's first row in those values."""
    scored = scores[np.isfinite(scores["total"].to_numpy(dtype=np.float64))]
    scored = scored.sort_values("unit_id", kind="stable").reset_index(drop=True)
    values = reviews[list(CRITERIA)].to_numpy(dtype=np.float64)
    if cfg.peer.method == "calibrated":
        bias = reviewer_bias(reviews, cfg).set_index("reviewer_unit_id")["shrunk_bias"]
        values = values - reviews["reviewer_unit_id"].map(bias).fillna(0.0).to_numpy()[:, None]
    unit_code = pd.Index(scored["unit_id"]).get_indexer(reviews["reviewee_unit_id"])
    keep = unit_code >= 0
    order = np.argsort(unit_code[keep], kind="stable")
    grouped = values[keep][order]
    counts = np.bincount(unit_code[keep], minlength=len(scored))
    if (counts < cfg.peer.min_reviews).any():
        short = scored.loc[counts < cfg.peer.min_reviews, "unit_id"].iloc[0]
        raise ValueError(f"scored unit {short} has fewer valid reviews than peer.min_reviews")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return scored, grouped, starts


def _resampled_peer(
    by_criterion: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    generators: list[np.random.Generator],
    rows: int,
    cfg: AssessmentConfig,
) -> np.ndarray:
    """Peer scores (rows × units) of ``rows`` bootstrap resamples.

    Units are taken in blocks of equal review count n (a handful of blocks): a block's draws
    form a (criteria × rows × n × units) array reduced along the n axis with the units
    contiguous, several times faster than reducing ragged groups. Each block draws from its own generator,
    so cutting the resamples into chunks never changes the stream.
    """
    weights = np.array([cfg.peer.weights[c] for c in CRITERIA])
    peer = np.empty((rows, counts.size), dtype=np.float64)
    for n, generator in zip(np.unique(counts), generators, strict=False):
        units = np.flatnonzero(counts == n)
        offsets = (generator.random((rows, int(n), units.size), dtype=np.float32) * n).astype(np.int64)
        drawn = by_criterion[:, starts[units][None, None, :] + offsets]
        total = drawn.sum(axis=2)
        if n >= cfg.peer.trim_min_reviews:
            agg = (total - drawn.max(axis=2) - drawn.min(axis=2)) / (n - 2.0)
        else:
            agg = total / float(n)
        peer[:, units] = np.tensordot(weights, agg, axes=1)
    return peer


def _kth_largest(key: np.ndarray, k: int) -> np.ndarray:
    """Per row, the k-th largest value counting duplicates (a column for broadcasting).

    A value's competition rank 1 + #greater is at most k exactly when the value is at least the
    k-th largest, and #(values >= it) is at most k exactly when it is above the (k+1)-th largest:
    so a partition (linear time) answers what a full sort per row would.
    """
    n = key.shape[1]
    return np.partition(key, n - k, axis=1)[:, n - k : n - k + 1]


def grade_codes(totals: np.ndarray, cfg: AssessmentConfig) -> np.ndarray:
    """Grade codes (:data:`GRADE_CODES`) of each row of totals (resamples × scored units),
    exactly as :func:`unionflow.assessment.scoring.assign_grades` grades scored units."""
    g = cfg.grades
    key = np.round(totals, TOTAL_DECIMALS)
    if key.shape[1] == 0:
        return np.zeros(key.shape, dtype=np.int8)
    quota = min(excellent_quota(g.excellent_top_share, totals.shape[1]), totals.shape[1])
    within_quota = key >= _kth_largest(key, quota)  # rank <= quota
    return np.select(
        [(key >= g.excellent_min) & within_quota, key >= g.good_min, key >= g.pass_min],
        [0, 1, 2],
        default=3,
    ).astype(np.int8)


def funded_mask(totals: np.ndarray, grades: np.ndarray, cfg: AssessmentConfig) -> np.ndarray:
    """Who :func:`unionflow.assessment.allocation.allocate` funds, per row: eligible grade and,
    when the floor does not reach everyone, within the longest prefix of whole tie groups."""
    a = cfg.allocation
    eligible_codes = [GRADE_CODES.index(grade) for grade in a.eligible_grades]
    eligible = np.isin(grades, eligible_codes)
    if a.method == "tiered":
        return eligible
    n_eligible = eligible.sum(axis=1, keepdims=True)
    everyone = n_eligible * a.floor <= a.budget
    if a.floor == 0 or a.budget // a.floor >= totals.shape[1]:
        return eligible  # the floor reaches every unit
    keep = a.budget // a.floor
    key = np.where(eligible, np.round(totals, TOTAL_DECIMALS), -np.inf)
    # Kept: at most `keep` eligible units have a total >= its own (whole tie groups).
    kept = key > _kth_largest(key, keep + 1)
    return eligible & (everyone | kept)


def unit_stability(
    scores: pd.DataFrame,
    reviews: pd.DataFrame,
    cfg: AssessmentConfig,
    *,
    resamples: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Bootstrap stability of every scored unit's grade and funding.

    ``scores``: the year's score table (``unit_id, indicator_score, bonus, total, grade``);
    ``reviews``: the valid reviews scoring used. Returns :data:`STABILITY_COLUMNS` for the scored
    units sorted by total descending then unit_id (``resamples`` and ``seed`` override the
    config's ``[stability]``): the interval of the total (``interval``
    central share of the resamples), the share of resamples keeping the grade, whether the
    current config funds the unit and the share of resamples funding it, and ``borderline`` when
    the grade or the funding decision changes in more than ``borderline_share`` of resamples.
    """
    check_reviews(reviews)
    if cfg.peer.method in ("median", "pg1"):
        raise ConfigError(
            "peer.method", f"stability supports trimmed_mean and calibrated, not {cfg.peer.method}"
        )
    settings = cfg.stability
    b_total = settings.resamples if resamples is None else resamples
    if b_total < 1:
        raise ConfigError("stability.resamples", f"must be at least 1, got {b_total}")
    scored, values, starts = _scored_reviews(scores, reviews, cfg)
    counts = np.diff(np.append(starts, len(values)))
    n_units, n_rows = len(scored), len(values)
    indicator = scored["indicator_score"].to_numpy(dtype=np.float64)
    bonus = scored["bonus"].to_numpy(dtype=np.float64)
    t = cfg.total
    by_criterion = np.ascontiguousarray(values.T)
    # One generator per block of equal review count (see _resampled_peer), all from the seed.
    sequence = np.random.SeedSequence(settings.seed if seed is None else seed)
    generators = [np.random.default_rng(s) for s in sequence.spawn(np.unique(counts).size)]
    chunk = max(1, min(b_total, _CHUNK_BYTES // max(1, n_rows * len(CRITERIA) * 8)))
    totals = np.empty((b_total, n_units), dtype=np.float64)
    for first in range(0, b_total, chunk):  # a loop over chunks of resamples, never per unit
        rows = min(chunk, b_total - first)
        peer = _resampled_peer(by_criterion, starts, counts, generators, rows, cfg)
        totals[first : first + rows] = np.minimum(
            t.cap, t.indicator_weight * indicator + t.peer_weight * peer + bonus
        )

    grades = grade_codes(totals, cfg)
    funded = funded_mask(totals, grades, cfg)
    current = pd.Index(GRADE_CODES).get_indexer(scored["grade"])
    baseline = allocate(scored[["unit_id", "total", "grade"]], cfg).allocations.set_index("unit_id")["reason"]
    funded_now = scored["unit_id"].map(baseline).eq(FUNDED).to_numpy()

    kept = (grades == current[None, :]).mean(axis=0)
    funded_share = funded.mean(axis=0)
    funding_changed = np.where(funded_now, 1.0 - funded_share, funded_share)
    tail = (1.0 - settings.interval) / 2.0
    low, high = np.quantile(totals, [tail, 1.0 - tail], axis=0)
    out = pd.DataFrame(
        {
            "unit_id": scored["unit_id"].to_numpy(),
            "total": scored["total"].to_numpy(dtype=np.float64),
            "grade": scored["grade"].to_numpy(),
            "n_reviews": counts.astype(np.int64),
            "total_low": low,
            "total_high": high,
            "grade_kept_share": kept,
            "funded": funded_now,
            "funded_share": funded_share,
            "borderline": (1.0 - kept > settings.borderline_share)
            | (funding_changed > settings.borderline_share),
        }
    )
    out = out.sort_values(["total", "unit_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[list(STABILITY_COLUMNS)]
