"""Indicator score (SPEC §7): per-employee rates → within-level percentiles → weighted sum."""

from __future__ import annotations

import numpy as np
import pandas as pd

from unionflow.assessment.config import RATES, AssessmentConfig

#: Numerator column of each "x / employees" rate (adoption is the exception: adopted/submitted).
RATE_NUMERATORS: dict[str, str] = {
    "training": "trainees",
    "upgrades": "skill_upgrades",
    "competition": "competition_participants",
    "studios": "studios",
    "innovation": "innovation_results",
    "innovation_value": "innovation_value_cny",
    "proposals": "proposals_submitted",
    "service": "workers_served",
}

#: Submission columns the indicator score reads.
SUBMISSION_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "employees",
    *RATE_NUMERATORS.values(),
    "proposals_adopted",
)


def _rates(sub: pd.DataFrame) -> pd.DataFrame:
    """Double-precision rates, one column ``rate_<name>`` per rate."""
    employees = sub["employees"].to_numpy(dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    for rate in RATES:
        if rate == "adoption":
            submitted = sub["proposals_submitted"].to_numpy(dtype=np.float64)
            adopted = sub["proposals_adopted"].to_numpy(dtype=np.float64)
            # 0 when nothing was submitted (SPEC §7), without a 0/0 warning.
            out["rate_adoption"] = np.divide(
                adopted, submitted, out=np.zeros_like(adopted), where=submitted > 0
            )
        else:
            numerator = sub[RATE_NUMERATORS[rate]].to_numpy(dtype=np.float64)
            out[f"rate_{rate}"] = numerator / employees
    return pd.DataFrame(out, index=sub.index)


def indicator_scores(units: pd.DataFrame, submissions: pd.DataFrame, cfg: AssessmentConfig) -> pd.DataFrame:
    """Indicator score of every unit in ``units`` that has an accepted submission.

    Each rate becomes a percentile ``100 × (r − 1) / (n − 1)`` within the unit's ``level``, where
    r is the average ascending rank among ties (1-based) and n the number of units of that level
    with a submission (n = 1 gives 50). The score is Σ weight × percentile in SPEC table order.

    Returns columns ``unit_id, level, rate_<rate>…, pct_<rate>…, indicator_score`` sorted by
    ``unit_id``. Submissions of units not in ``units`` are ignored.
    """
    missing = [c for c in SUBMISSION_COLUMNS if c not in submissions.columns]
    if missing:
        raise ValueError(f"submissions lack columns: {', '.join(missing)}")
    if submissions["unit_id"].duplicated().any():
        raise ValueError("submissions must hold at most one accepted submission per unit")
    sub = units[["unit_id", "level"]].merge(
        submissions[list(SUBMISSION_COLUMNS)], on="unit_id", how="inner", validate="one_to_one"
    )
    sub = sub.sort_values("unit_id", kind="stable").reset_index(drop=True)
    if (sub["employees"] < 1).any():
        raise ValueError("employees must be >= 1 for every submission")

    rates = _rates(sub)
    rate_cols = list(rates.columns)
    by_level = rates.groupby(sub["level"], dropna=False, sort=False)
    ranks = by_level[rate_cols].rank(method="average").to_numpy()
    n = sub.groupby("level", dropna=False, sort=False)["unit_id"].transform("size")
    n_col = n.to_numpy(dtype=np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(n_col == 1, 50.0, 100.0 * (ranks - 1.0) / (n_col - 1.0))

    out = sub[["unit_id", "level"]].copy()
    score = np.zeros(len(sub), dtype=np.float64)
    weights = cfg.indicator.weights
    for rate in RATES:
        out[f"rate_{rate}"] = rates[f"rate_{rate}"].to_numpy()
    for j, rate in enumerate(RATES):
        out[f"pct_{rate}"] = pct[:, j]
        # Accumulate in table order so the float result is reproducible.
        score = score + weights[rate] * pct[:, j]
    out["indicator_score"] = score
    return out
