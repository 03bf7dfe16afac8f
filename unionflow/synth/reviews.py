"""Peer reviews: a deterministic reviewer design, honest scores and planted reviewer behaviours.

Design: active units are ordered so that each district is spread evenly along a circle, then every
unit is reviewed by the units a few fixed steps before it (a circulant). Steps that would pair two
units of one district are replaced by the nearest free step, so clean reviews never pair a unit with
itself or with a unit of its own district, and each unit reviews about five others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from unionflow.synth import rng, texts
from unionflow.synth.registry import Registry
from unionflow.synth.schema import CRITERIA, deadline, to_epoch, window_start

PER_UNIT = 5
PRIMARY_STEPS = (1, 2, 3, 7, 10)  # spacing in the interleaved order avoids same-district pairs
# A base of 77 makes about a quarter of the units `good` or better under the default grades, so
# the default budget is split proportionally (5,000–20,000 each) rather than everyone at the cap.
BASE_SCORE, QUALITY_SLOPE, NOISE_SD = 77.0, 8.0, 3.0
FLAT_SCORE = 80
CONTRARIAN_PIVOT = 140
REVIEW_WINDOW_DAYS_BEFORE_DEADLINE = 31


@dataclass
class ReviewPlan:
    """Who was given which behaviour (registry row indices) and which reviewees were thinned."""

    colluders: tuple[int, int] = (-1, -1)
    flat_reviewer: int = -1
    contrarian: int = -1
    insufficient: list[int] = field(default_factory=list)

    def protected_units(self) -> set[int]:
        """Units whose reviews must stay valid for the planted behaviours to show."""
        units = {*self.colluders, self.flat_reviewer, self.contrarian, *self.insufficient}
        units.discard(-1)
        return units


def interleaved_order(district_code: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Positions of units sorted so each district is spread evenly (consecutive units differ)."""
    size = len(district_code)
    shuffled = gen.permutation(size)
    codes = district_code[shuffled]
    order_in = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=int(codes.max()) + 1 if size else 0)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(size, dtype=np.int64)
    rank[order_in] = np.arange(size) - starts[codes[order_in]]
    # Fractional position along the circle; a small code-dependent shift breaks ties evenly.
    key = (rank + 0.5 + 0.01 * codes) / counts[codes]
    return shuffled[np.argsort(key, kind="stable")]


def circulant_design(district_code: np.ndarray, per_unit: int = PER_UNIT) -> np.ndarray:
    """For units in circle order, an (n, per_unit) matrix of reviewer positions (-1 = none).

    Reviewee at position i is reviewed by position (i - step) mod n. A step that would pair two
    units of one district is replaced by another step whose reviewer still has fewer than
    `per_unit` reviews (so loads stay balanced), or failing that by any free step.
    """
    size = len(district_code)
    slots = np.full((size, per_unit), -1, dtype=np.int64)
    if size < 2:
        return slots
    positions = np.arange(size)
    primary = [s for s in PRIMARY_STEPS if s < size][:per_unit]
    steps = np.zeros((size, per_unit), dtype=np.int64)
    for k, step in enumerate(primary):
        ok = district_code[(positions - step) % size] != district_code
        steps[ok, k] = step
    load = np.bincount(((positions[:, None] - steps) % size)[steps > 0], minlength=size)
    fallback = [s for s in range(1, size) if s not in primary]
    for cap, scan in ((per_unit, fallback[:400]), (None, fallback)):
        todo_i, todo_k = np.nonzero(steps == 0)
        for step in scan:
            if len(todo_i) == 0:
                break
            reviewer = (todo_i - step) % size
            free = district_code[reviewer] != district_code[todo_i]
            free &= (steps[todo_i] != step).all(axis=1)
            if cap is not None:
                free &= load[reviewer] < cap
            # One slot per reviewee per step, or a reviewer would appear twice for it.
            candidates = np.flatnonzero(free)
            _, first = np.unique(todo_i[candidates], return_index=True)
            take = candidates[first]
            steps[todo_i[take], todo_k[take]] = step
            np.add.at(load, reviewer[take], 1)
            keep = np.ones(len(todo_i), dtype=bool)
            keep[take] = False
            todo_i, todo_k = todo_i[keep], todo_k[keep]
    has = steps > 0
    slots[has] = ((positions[:, None] - steps) % size)[has]
    return slots


def _pick_colluders(
    slots: np.ndarray, order: np.ndarray, quality: np.ndarray, gen: np.random.Generator
) -> tuple[int, int] | None:
    """Two consecutive positions (a reviews b) of modest quality, so inflated scores fit <= 100."""
    size = len(order)
    for pos_a in gen.permutation(size):
        pos_b = (pos_a + 1) % size
        if quality[order[pos_a]] > 0 or quality[order[pos_b]] > 0:
            continue
        if pos_a not in slots[pos_b] or pos_b in slots[pos_a]:
            continue
        if (slots[pos_a] >= 0).sum() < PER_UNIT or (slots[pos_b] >= 0).sum() < PER_UNIT:
            continue
        return int(pos_a), int(pos_b)
    return None


def honest_scores(quality: np.ndarray, leniency: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Integer scores (rows x criteria): 77 + 8 q(reviewee) + leniency(reviewer) + noise."""
    mean = BASE_SCORE + QUALITY_SLOPE * quality + leniency
    raw = mean[:, None] + NOISE_SD * gen.standard_normal((len(quality), len(CRITERIA)))
    return np.clip(np.rint(raw), 0, 100).astype(np.int64)


def review_times(gen: np.random.Generator, year: int, size: int) -> np.ndarray:
    """Epoch seconds in the month before the deadline (reviews are filed before the meeting)."""
    end = to_epoch(deadline(year))
    start = max(to_epoch(window_start(year)), end - REVIEW_WINDOW_DAYS_BEFORE_DEADLINE * 86400)
    return start + np.floor(gen.random(size) * (end - start - 3600)).astype(np.int64)


def _reviewers_by_count(reviewer: np.ndarray, minimum: int) -> np.ndarray:
    counts = np.bincount(reviewer)
    return np.flatnonzero(counts >= minimum)


def build_reviews(
    registry: Registry, year: int, seed: int, n_insufficient: int
) -> tuple[pd.DataFrame, ReviewPlan]:
    """Design reviews for every unit active in `year` and score them, planting the behaviours.

    Returns a frame with `_reviewer`, `_reviewee` (registry rows), `_t` (epoch seconds), one int
    column per criterion and `_comment` (see `texts.COMMENT_CHOICES`), plus the plan saying who behaves how.
    """
    gen = rng.stream(seed, rng.REVIEWS, year)
    active = np.flatnonzero(registry.active_mask(year))
    quality = registry.latent["quality"].to_numpy()
    leniency = registry.latent["leniency"].to_numpy()
    plan = ReviewPlan()

    order = active[interleaved_order(registry.district_code[active], gen)]
    slots = circulant_design(registry.district_code[order])

    # The colluding pair: a reviews b by design; b is slipped into one of a's reviewer slots.
    pair = _pick_colluders(slots, order, quality, gen)
    if pair is not None:
        pos_a, pos_b = pair
        slots[pos_a, PER_UNIT - 1] = pos_b
        plan.colluders = (int(order[pos_a]), int(order[pos_b]))

    # A handful of reviewees keep only two reviewers (their peer score is insufficient).
    candidates = np.flatnonzero((slots >= 0).sum(axis=1) == PER_UNIT)
    candidates = candidates[~np.isin(order[candidates], plan.colluders)]
    thin = gen.choice(candidates, size=min(n_insufficient, len(candidates)), replace=False)
    slots[thin, 2:] = -1
    plan.insufficient = sorted(int(u) for u in order[thin])

    reviewee_pos, slot = np.nonzero(slots >= 0)
    reviewer = order[slots[reviewee_pos, slot]]
    reviewee = order[reviewee_pos]
    scores = honest_scores(quality[reviewee], leniency[reviewer], gen)

    # Flat reviewer and contrarian: enough reviews, and none touching the colluders or each other.
    avoid = {*plan.colluders, *plan.insufficient}
    eligible = _reviewers_by_count(reviewer, PER_UNIT)
    chosen: list[int] = []
    taken_reviewees: set[int] = set()
    for unit in gen.permutation(eligible):
        if unit in avoid or len(chosen) == 2:
            continue
        own = set(reviewee[reviewer == unit].tolist())
        if own & (avoid | taken_reviewees) or any(c in own for c in chosen):
            continue
        chosen.append(int(unit))
        taken_reviewees |= own
        if len(chosen) == 2:
            break
    if chosen:
        plan.flat_reviewer = chosen[0]
        scores[reviewer == plan.flat_reviewer] = FLAT_SCORE
    if len(chosen) > 1:
        plan.contrarian = chosen[1]
        rows = reviewer == plan.contrarian
        scores[rows] = np.clip(CONTRARIAN_PIVOT - scores[rows], 0, 100)

    if pair is not None:
        a, b = plan.colluders
        for giver, taker in ((a, b), (b, a)):
            row = np.flatnonzero((reviewer == giver) & (reviewee == taker))[0]
            others = (reviewee == taker) & (reviewer != giver)
            boost = gen.uniform(17.0, 23.0, len(CRITERIA))
            inflated = np.rint(scores[others].mean(axis=0) + boost)
            scores[row] = np.clip(inflated, 0, 100).astype(np.int64)

    frame = pd.DataFrame(
        {
            "_reviewer": reviewer.astype(np.int64),
            "_reviewee": reviewee.astype(np.int64),
            "_t": review_times(gen, year, len(reviewer)),
        }
    )
    for k, criterion in enumerate(CRITERIA):
        frame[criterion] = scores[:, k]
    frame["_comment"] = texts.comment_codes(gen, len(frame))
    return frame, plan


def review_id_width(units: int) -> int:
    """Digits of review ids: seven, more when the data set holds ten million reviews or more."""
    return max(7, len(str(units * 6)))


def review_ids(year: int, positions: np.ndarray | list[int], width: int) -> list[str]:
    """Ids like R2025-0000001 of the reviews at 0-based file positions (ids follow file order)."""
    return [f"R{year}-{int(p) + 1:0{width}d}" for p in positions]
