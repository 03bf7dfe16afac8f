"""Planting bad and superseded reviews, then numbering reviews in submission-time order.

Bad reviews that replace a designed review take at most one review from any reviewee, and never
touch the units carrying a planted behaviour, so every active unit keeps at least three valid
reviews except the few thinned on purpose (`ReviewPlan.insufficient`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from unionflow.synth import rng
from unionflow.synth.defects import per_kind, unknown_unit_ids
from unionflow.synth.records import Planted, ReviewSet
from unionflow.synth.registry import Registry
from unionflow.synth.reviews import PER_UNIT, ReviewPlan, honest_scores, review_id_width, review_ids
from unionflow.synth.schema import CRITERIA, deadline, to_epoch

# (kind, value written instead of one score, rule)
BAD_SCORES: tuple[tuple[str, str, str], ...] = (
    ("score_above_100", "105", "out_of_range"),
    ("score_below_0", "-3", "out_of_range"),
    ("chinese_numeral_score", "八十", "not_a_number"),
    ("text_score", "N/A", "not_a_number"),
)
DAY = 86_400


def _extra_rows(
    reviewer: np.ndarray, reviewee: np.ndarray, times: np.ndarray, scores: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame({"_reviewer": reviewer, "_reviewee": reviewee, "_t": times})
    for k, criterion in enumerate(CRITERIA):
        frame[criterion] = scores[:, k]
    frame["_comment"] = 0
    return frame


def plant_review_defects(
    frame: pd.DataFrame, plan: ReviewPlan, registry: Registry, year: int, seed: int
) -> ReviewSet:
    """Add and spoil reviews so every review defect kind occurs, then assign review ids."""
    gen = rng.stream(seed, rng.REVIEW_DEFECTS, year)
    units = len(registry.units)
    count = per_kind(units)
    # Submissions use the first `count` unknown ids; reviews the next ones.
    unknown = unknown_unit_ids(units, 2 * count)[count:]
    unit_ids = np.concatenate(
        [registry.units["unit_id"].to_numpy(dtype=object), np.asarray(unknown, dtype=object)]
    )
    quality = registry.latent["quality"].to_numpy()
    district = registry.district_code
    protected = np.zeros(units, dtype=bool)
    protected[list(plan.protected_units())] = True
    active = registry.active_mask(year)
    end = to_epoch(deadline(year))

    reviewer = frame["_reviewer"].to_numpy()
    reviewee = frame["_reviewee"].to_numpy()
    n_reviews = np.bincount(reviewee, minlength=units)
    ok = ~protected[reviewer] & ~protected[reviewee] & (n_reviews[reviewee] == PER_UNIT)
    rows = gen.permutation(np.flatnonzero(ok))
    # One spoiled or superseded review per reviewee at most.
    _, first = np.unique(reviewee[rows], return_index=True)
    pool = list(rows[np.sort(first)])

    frame = frame.copy()
    planted: list[tuple[int, Planted]] = []  # (original row, entry)
    overrides: list[tuple[int, str, str]] = []  # (original row, column, text)
    for kind, text, rule in BAD_SCORES:
        for _ in range(count):
            if not pool:
                break
            row = int(pool.pop())
            column = CRITERIA[int(gen.integers(0, len(CRITERIA)))]
            overrides.append((row, column, text))
            planted.append((row, Planted("review", kind, [rule], None, None, column, f"{column} = {text!r}")))

    # Superseded: the earlier of two reviews of one pair; the later one (new row) counts.
    superseded_pairs: list[tuple[int, int]] = []
    extras: list[pd.DataFrame] = []
    next_row = len(frame)
    old_rows = np.asarray([pool.pop() for _ in range(min(count, len(pool)))], dtype=np.int64)
    if len(old_rows):
        times = frame["_t"].to_numpy().copy()
        times[old_rows] = end - 30 * DAY + gen.integers(0, 4 * DAY, len(old_rows))
        frame["_t"] = times
        late = end - gen.integers(3600, 3 * DAY, len(old_rows))
        scores = frame[list(CRITERIA)].to_numpy()[old_rows]
        scores = np.clip(scores + gen.integers(-2, 3, scores.shape), 0, 100)
        extras.append(_extra_rows(reviewer[old_rows], reviewee[old_rows], late, scores))
        superseded_pairs = [(int(old), next_row + k) for k, old in enumerate(old_rows)]
        next_row += len(old_rows)

    # Extra invalid reviews (nobody loses a valid review through these).
    candidates = np.flatnonzero(active & ~protected)
    by_district = {int(d): candidates[district[candidates] == d] for d in np.unique(district)}
    picks = gen.permutation(candidates)
    cursor = 0
    extra_cases: list[tuple[str, str, int, int]] = []
    for _ in range(count):
        unit = int(picks[cursor % len(picks)])
        cursor += 1
        extra_cases.append(("self_review", "self_review", unit, unit))
    for _ in range(count):
        unit = int(picks[cursor % len(picks)])
        cursor += 1
        mates = by_district[int(district[unit])]
        mates = mates[mates != unit]
        if len(mates):
            extra_cases.append(
                ("same_district", "conflict_of_interest", unit, int(mates[int(gen.integers(0, len(mates)))]))
            )
    for k in range(count):
        unit = int(picks[cursor % len(picks)])
        cursor += 1
        extra_cases.append(("unknown_reviewer", "unknown_unit", units + k, unit))
    if extra_cases:
        giver = np.asarray([c[2] for c in extra_cases])
        taker = np.asarray([c[3] for c in extra_cases])
        scores = honest_scores(quality[taker], np.zeros(len(taker)), gen)
        times = end - gen.integers(DAY, 20 * DAY, len(taker))
        extras.append(_extra_rows(giver, taker, times, scores))
        for kind, rule, _, _ in extra_cases:
            planted.append(
                (next_row, Planted("review", kind, [rule], None, None, None, _REVIEW_DETAILS[kind]))
            )
            next_row += 1

    frame = pd.concat([frame, *extras], ignore_index=True)
    # Review ids follow submission time (ties: original row order).
    order = np.lexsort((np.arange(len(frame)), frame["_t"].to_numpy()))
    position = np.empty(len(frame), dtype=np.int64)
    position[order] = np.arange(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    width = review_id_width(units)

    def rid(pos: int) -> str:
        return review_ids(year, [pos], width)[0]

    def describe(pos: int) -> dict[str, Any]:
        return {"file": "reviews.csv", "row": pos + 2, "source_ref": f"reviews.csv#row={pos + 2}"}

    entries = []
    for row, entry in planted:
        pos = int(position[row])
        entry.id = rid(pos)
        entry.unit_id = str(unit_ids[frame["_reviewee"].to_numpy()[pos]])
        entry.extra = {
            "reviewer_unit_id": str(unit_ids[frame["_reviewer"].to_numpy()[pos]]),
            "reviewee_unit_id": entry.unit_id,
        }
        entry.location = describe(pos)
        entries.append(entry)
    score_overrides: dict[str, dict[int, str]] = {}
    for row, column, text in overrides:
        score_overrides.setdefault(column, {})[int(position[row])] = text
    superseded = [
        {
            "record_kind": "review",
            "id": rid(int(position[old])),
            "superseded_by": rid(int(position[new])),
            "reviewer_unit_id": str(unit_ids[reviewer[old]]),
            "reviewee_unit_id": str(unit_ids[reviewee[old]]),
            "unit_id": str(unit_ids[reviewee[old]]),
            "location": describe(int(position[old])),
            "superseded_by_location": describe(int(position[new])),
        }
        for old, new in superseded_pairs
    ]
    return ReviewSet(
        frame=frame,
        unit_ids=unit_ids,
        overrides=score_overrides,
        planted=entries,
        superseded=superseded,
        behaviours=_behaviours(frame, plan, unit_ids, year, width),
        year=year,
        id_width=width,
        insufficient_reviews=sorted(str(unit_ids[u]) for u in plan.insufficient),
    )


_REVIEW_DETAILS = {
    "self_review": "a unit reviewing itself",
    "same_district": "reviewer and reviewee in the same district",
    "unknown_reviewer": "reviewer not in the registry",
}


def _behaviours(
    frame: pd.DataFrame, plan: ReviewPlan, unit_ids: np.ndarray, year: int, width: int
) -> dict[str, Any]:
    reviewer = frame["_reviewer"].to_numpy()
    reviewee = frame["_reviewee"].to_numpy()
    scores = frame[list(CRITERIA)].to_numpy(dtype=float)
    result: dict[str, Any] = {"colluding_pairs": [], "flat_reviewers": [], "contrarians": []}
    a, b = plan.colluders
    if a >= 0:
        pair_ids, excess = [], []
        for giver, taker in ((a, b), (b, a)):
            row = np.flatnonzero((reviewer == giver) & (reviewee == taker))[0]
            others = (reviewee == taker) & (reviewer != giver)
            pair_ids.append(review_ids(year, [row], width)[0])
            excess.append(round(float((scores[row] - scores[others].mean(axis=0)).mean()), 2))
        result["colluding_pairs"].append(
            {
                "units": [str(unit_ids[a]), str(unit_ids[b])],
                "review_ids": pair_ids,
                "mean_excess_over_others": excess,
            }
        )
    if plan.flat_reviewer >= 0:
        rows = reviewer == plan.flat_reviewer
        result["flat_reviewers"].append(
            {
                "unit_id": str(unit_ids[plan.flat_reviewer]),
                "score": int(scores[rows][0, 0]),
                "review_ids": review_ids(year, np.flatnonzero(rows), width),
            }
        )
    if plan.contrarian >= 0:
        rows = reviewer == plan.contrarian
        result["contrarians"].append(
            {
                "unit_id": str(unit_ids[plan.contrarian]),
                "review_ids": review_ids(year, np.flatnonzero(rows), width),
            }
        )
    return result
