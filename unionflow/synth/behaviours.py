"""Evaluation years: peer reviews with realistic reviewer behaviour and the truth behind them.

A real federation never knows a unit's true quality; here it is drawn first and every review is
made from it, so a peer method can be measured against the truth (`unionflow evaluate-methods`).

Per unit and criterion the true score is T = q_u + d_uc (q_u ~ N(72, 9), d ~ N(0, 3)), clipped to
0..100; the true peer score is the criterion-weighted sum. Reviewer v gives
round(T + b_v + N(0, s_v)) clipped to 0..100, with
- ``honest`` setting: b_v = 0, s_v = 4 for everyone;
- ``realistic`` setting: leniency b_v ~ N(0, 5) (lenient and harsh reviewers), s_v drawn from
  {3, 5, 8} and 12 % very noisy reviewers (s_v = 14); 3 % flat reviewers (the same mark on
  everything), 2 % contrarians (140 − T), colluding pairs and rings of 3–4 units that give each
  other T + 20, and review counts varying between 3 and 8 per reviewee.
Deterministic for (units, seed, setting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from unionflow.assessment.config import CRITERIA, load_config

SETTINGS: tuple[str, ...] = ("honest", "realistic")
BEHAVIOURS: tuple[str, ...] = ("honest", "noisy", "flat", "contrarian", "colluder")
COLLUSION_BOOST = 20.0


@dataclass(frozen=True)
class EvaluationYear:
    """Reviews, true scores and reviewer traits of one synthetic evaluation year."""

    reviews: pd.DataFrame  # review_id, reviewer_unit_id, reviewee_unit_id, criteria
    truth: pd.DataFrame  # unit_id, true_<criterion>…, true_peer, true_indicator
    reviewers: pd.DataFrame  # unit_id, behaviour, leniency, noise_sd


def _groups(units: int, gen: np.random.Generator) -> list[np.ndarray]:
    """Colluding groups: pairs and rings of 3–4 (about 6 % of the units), disjoint."""
    sizes = [2, 2, 3, 4] * max(1, units // 150)
    members = gen.permutation(units)[: sum(sizes)]
    return np.split(members, np.cumsum(sizes)[:-1])


def evaluation_year(units: int = 225, seed: int = 1, setting: str = "realistic") -> EvaluationYear:
    """One synthetic evaluation year (see the module docstring)."""
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    if units < 20:
        raise ValueError("an evaluation year needs at least 20 units")
    realistic = setting == "realistic"
    gen = np.random.default_rng([seed, SETTINGS.index(setting)])
    ids = np.array([f"EV-{i:05d}" for i in range(units)], dtype=object)
    quality = gen.normal(72.0, 9.0, units)
    true = np.clip(quality[:, None] + gen.normal(0.0, 3.0, (units, len(CRITERIA))), 0, 100)

    behaviour = np.full(units, "honest", dtype=object)
    leniency = np.zeros(units)
    noise = np.full(units, 4.0)
    groups: list[np.ndarray] = []
    if realistic:
        leniency = gen.normal(0.0, 5.0, units)
        noise = gen.choice([3.0, 5.0, 8.0], units)
        roll = gen.random(units)
        behaviour[roll < 0.12] = "noisy"
        noise[roll < 0.12] = 14.0
        behaviour[(roll >= 0.12) & (roll < 0.15)] = "flat"
        behaviour[(roll >= 0.15) & (roll < 0.17)] = "contrarian"
        groups = _groups(units, gen)
        for group in groups:
            behaviour[group] = "colluder"

    # Reviewers per reviewee: 5 honest design, 3..8 in the realistic setting; never oneself.
    counts = gen.integers(3, 9, units) if realistic else np.full(units, 5)
    reviewee = np.repeat(np.arange(units), counts)
    reviewer = np.empty(reviewee.size, dtype=np.int64)
    start = 0
    for unit, n in enumerate(counts):  # one draw per reviewee (design, not scoring)
        others = gen.choice(units - 1, size=int(n), replace=False)
        reviewer[start : start + n] = others + (others >= unit)
        start += n
    # Colluders review each other: every member of a group gets every other member as reviewer.
    extra_from, extra_to = [], []
    for group in groups:
        for a in group:
            for b in group:
                if a != b:
                    extra_from.append(a)
                    extra_to.append(b)
    reviewer = np.concatenate([reviewer, np.array(extra_from, dtype=np.int64)])
    reviewee = np.concatenate([reviewee, np.array(extra_to, dtype=np.int64)])
    pairs = pd.DataFrame({"r": reviewer, "e": reviewee}).drop_duplicates()
    reviewer, reviewee = pairs["r"].to_numpy(), pairs["e"].to_numpy()

    marks = (
        true[reviewee]
        + leniency[reviewer, None]
        + gen.normal(0.0, 1.0, (reviewee.size, len(CRITERIA))) * noise[reviewer, None]
    )
    kind = behaviour[reviewer]
    flat_mark = gen.integers(70, 91, units).astype(np.float64)
    marks = np.where((kind == "flat")[:, None], flat_mark[reviewer, None], marks)
    marks = np.where((kind == "contrarian")[:, None], 140.0 - true[reviewee], marks)
    group_of = np.full(units, -1)
    for g, group in enumerate(groups):
        group_of[group] = g
    colluding = (group_of[reviewer] >= 0) & (group_of[reviewer] == group_of[reviewee])
    marks = np.where(colluding[:, None], true[reviewee] + COLLUSION_BOOST, marks)
    marks = np.clip(np.rint(marks), 0, 100)

    reviews = pd.DataFrame(marks.astype(np.int64), columns=list(CRITERIA))
    reviews.insert(0, "reviewee_unit_id", ids[reviewee])
    reviews.insert(0, "reviewer_unit_id", ids[reviewer])
    reviews.insert(0, "review_id", [f"EVR-{i:06d}" for i in range(len(reviews))])
    reviews = reviews.sort_values(["reviewee_unit_id", "reviewer_unit_id"], kind="stable").reset_index(
        drop=True
    )

    weights = np.array([load_config().peer.weights[c] for c in CRITERIA])
    truth = pd.DataFrame({"unit_id": ids})
    for k, criterion in enumerate(CRITERIA):
        truth[f"true_{criterion}"] = true[:, k]
    truth["true_peer"] = true @ weights
    # The indicator score is measured, not reviewed: the same for the truth and every method.
    truth["true_indicator"] = np.clip(quality + gen.normal(0.0, 8.0, units), 0, 100)
    reviewers = pd.DataFrame(
        {"unit_id": ids, "behaviour": behaviour, "leniency": leniency, "noise_sd": noise}
    )
    return EvaluationYear(reviews=reviews, truth=truth, reviewers=reviewers)
