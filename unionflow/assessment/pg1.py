"""PG1 peer method (Piech et al., "Tuned Models of Peer Assessment in MOOCs", 2013), fitted
deterministically.

Model: every reviewee u has a true score s_uc per criterion, every reviewer v a bias b_v and a
reliability (precision) τ_v, and a mark is x_vuc ~ N(s_uc + b_v, 1/τ_v), with priors
s ~ N(μ0, 1/γ0), b ~ N(0, 1/η0), τ ~ Gamma(α0, β0). Instead of the paper's Gibbs sampling the
posterior mode is found by coordinate ascent (each update is the exact conditional mode), a fixed
number of sweeps from the same start: the same reviews always give the same bytes.

Priors (points on the 0–100 scale): μ0 = mean of all marks, prior sd of a true score 15
(γ0 = 1/225), prior sd of a bias 5 (η0 = 1/25), α0 = 2 and β0 = 16 (a typical reviewer sd near
4 points, heavy enough a tail that a noisy reviewer is recognised as noisy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from unionflow.assessment.config import CRITERIA
from unionflow.assessment.membership import id_codes

TRUE_SCORE_PRIOR_SD = 15.0
BIAS_PRIOR_SD = 5.0
RELIABILITY_SHAPE = 2.0
RELIABILITY_RATE = 16.0
SWEEPS = 60


def pg1_fit(reviews: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit PG1 on ``reviews`` (``reviewer_unit_id, reviewee_unit_id`` and the criteria).

    Returns (per reviewee ``unit_id`` and ``pg1_<criterion>`` true-score estimates, sorted by
    unit_id; per reviewer ``reviewer_unit_id, bias, reliability``).
    """
    marks = reviews[list(CRITERIA)].to_numpy(dtype=np.float64)
    e_codes, reviewees = id_codes(reviews["reviewee_unit_id"])
    r_codes, reviewers = id_codes(reviews["reviewer_unit_id"])
    e = np.asarray(e_codes, dtype=np.int64)
    r = np.asarray(r_codes, dtype=np.int64)
    n_e, n_r, n_c = len(reviewees), len(reviewers), len(CRITERIA)
    mu0 = float(marks.mean()) if marks.size else 0.0
    gamma0 = 1.0 / TRUE_SCORE_PRIOR_SD**2
    eta0 = 1.0 / BIAS_PRIOR_SD**2
    items_per_reviewer = np.bincount(r, minlength=n_r) * n_c

    bias = np.zeros(n_r)
    tau = np.full(n_r, RELIABILITY_SHAPE / RELIABILITY_RATE)
    true = np.zeros((n_e, n_c))
    for _ in range(SWEEPS):  # sweeps over whole arrays, not over units
        w = tau[r]
        weight_sum = np.bincount(e, weights=w, minlength=n_e)
        for c in range(n_c):
            num = np.bincount(e, weights=w * (marks[:, c] - bias[r]), minlength=n_e)
            true[:, c] = (mu0 * gamma0 + num) / (gamma0 + weight_sum)
        residual = marks - true[e]  # x − s
        bias = (
            tau
            * np.bincount(r, weights=residual.sum(axis=1), minlength=n_r)
            / (eta0 + tau * items_per_reviewer)
        )
        squared = ((residual - bias[r, None]) ** 2).sum(axis=1)
        tau = (RELIABILITY_SHAPE - 1.0 + items_per_reviewer / 2.0) / (
            RELIABILITY_RATE + 0.5 * np.bincount(r, weights=squared, minlength=n_r)
        )
    scores = pd.DataFrame({"unit_id": reviewees})
    for c, criterion in enumerate(CRITERIA):
        scores[f"pg1_{criterion}"] = true[:, c]
    # id_codes numbers ids in sorted order, so both tables are sorted by id already.
    traits = pd.DataFrame({"reviewer_unit_id": reviewers, "bias": bias, "reliability": tau})
    return scores, traits
