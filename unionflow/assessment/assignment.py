"""Reviewer assignment for the mutual review (SPEC section 7, issue 7).

Design: a district-blocked circulant. Units are ordered by district (districts and the units
within them shuffled by the seed), and reviewer j of the unit at position i is the unit at position
i + s_j (mod n) for K offsets s_j just below n/2. Each offset is a permutation, so every unit
reviews exactly K units and is reviewed by exactly K (perfect balance); offsets below n/2 never
create a mutual pair; and an offset of about n/2 jumps out of any district block smaller than about
n/2 − K, so same-district pairs cannot occur unless one district holds half the units.

Declared conflicts and the optional parent-union rule are repaired by swapping the reviewees of two
edges of the same offset: a swap keeps every unit's counts, so balance survives repair. An edge
that no swap can fix is dropped and its reviewee reported as short of reviewers — never looped on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from unionflow.assessment.assignment_rules import AssignmentRules, UnitPlace, rule_violations

__all__ = ["Assignment", "AssignmentRules", "assign_reviewers", "balance", "offsets", "violations"]

REPAIR_ROUNDS = 40


@dataclass(frozen=True)
class Assignment:
    """The pairs, and the units that could not get (or give) K reviews under the rules."""

    pairs: pd.DataFrame  # reviewer_unit_id, reviewee_unit_id
    short_of_reviewers: pd.DataFrame  # unit_id, reviewers, missing
    dropped: int  # edges no swap could make valid

    @property
    def feasible(self) -> bool:
        return self.short_of_reviewers.empty


def _order(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Units grouped by district, districts and members shuffled by the seed (deterministic)."""
    rng = np.random.default_rng(seed)
    frame = units.sort_values("unit_id").reset_index(drop=True)
    districts = np.array(sorted(frame["district"].unique()))
    district_rank = dict(zip(districts, rng.permutation(len(districts)), strict=True))
    frame = frame.assign(
        _district_rank=frame["district"].map(district_rank), _member_rank=rng.permutation(len(frame))
    )
    return frame.sort_values(["_district_rank", "_member_rank"]).reset_index(drop=True)


def offsets(n: int, per_unit: int) -> np.ndarray:
    """K distinct offsets in [1, n/2): as far from 0 as possible without making mutual pairs."""
    k = min(per_unit, max(0, (n - 1) // 2))
    high = (n - 1) // 2  # largest offset s with s < n - s
    return np.arange(high - k + 1, high + 1, dtype=np.int64)


class _Rules:
    """Vectorised validity of candidate pairs (positions in the ordered frame)."""

    def __init__(self, ordered: pd.DataFrame, rules: AssignmentRules) -> None:
        self.ids = ordered["unit_id"].to_numpy()
        self.n = len(ordered)
        self.district = pd.factorize(ordered["district"])[0]
        parent = ordered["parent_union"] if "parent_union" in ordered else pd.Series([None] * self.n)
        missing = parent.isna().to_numpy() | (parent.astype(str).str.strip() == "").to_numpy()
        self.parent = np.where(missing, -1, pd.factorize(parent.astype(str))[0])
        self.avoid_parent = rules.avoid_same_parent_union
        position = pd.Series(np.arange(self.n), index=self.ids)
        declared = [(a, b) for a, b in rules.conflicts if a in position.index and b in position.index]
        first = position.reindex([a for a, _ in declared]).to_numpy()
        second = position.reindex([b for _, b in declared]).to_numpy()
        self.conflict_keys = np.unique(np.concatenate([self.key(first, second), self.key(second, first)]))

    def key(self, reviewer: np.ndarray, reviewee: np.ndarray) -> np.ndarray:
        """One integer per ordered pair, for set operations with numpy."""
        return reviewer.astype(np.int64) * max(self.n, 1) + reviewee.astype(np.int64)

    def valid(self, reviewer: np.ndarray, reviewee: np.ndarray) -> np.ndarray:
        ok = (reviewer != reviewee) & (self.district[reviewer] != self.district[reviewee])
        if self.avoid_parent:
            ok &= ~((self.parent[reviewer] == self.parent[reviewee]) & (self.parent[reviewer] >= 0))
        if self.conflict_keys.size:
            ok &= ~np.isin(self.key(reviewer, reviewee), self.conflict_keys)
        return ok


def _repair(
    reviewer: np.ndarray, reviewee: np.ndarray, offset_of: np.ndarray, check: _Rules, seed: int
) -> np.ndarray:
    """Swap reviewees between broken and valid edges of the same offset, in vectorised rounds.

    Within one offset every reviewer and every reviewee appears once, so the swaps of one round
    never collide with each other; a swap keeps every unit's counts. Returns the validity mask.
    """
    rng = np.random.default_rng(seed + 1)
    ok = check.valid(reviewer, reviewee)
    for _ in range(REPAIR_ROUNDS):
        if ok.all():
            break
        for offset in np.unique(offset_of[~ok]):
            in_offset = offset_of == offset
            broken = np.flatnonzero(in_offset & ~ok)
            valid = np.flatnonzero(in_offset & ok)
            if broken.size == 0 or valid.size == 0:
                continue
            partner = rng.choice(valid, size=broken.size, replace=valid.size < broken.size)
            _, first = np.unique(partner, return_index=True)
            broken, partner = broken[first], partner[first]
            r1, e1, r2, e2 = reviewer[broken], reviewee[broken], reviewer[partner], reviewee[partner]
            existing = check.key(reviewer, reviewee)
            fine = (
                check.valid(r1, e2)
                & check.valid(r2, e1)
                & ~np.isin(check.key(r1, e2), existing)
                & ~np.isin(check.key(r2, e1), existing)
            )
            reviewee[broken[fine]], reviewee[partner[fine]] = e2[fine], e1[fine]
            ok[broken[fine]] = True
    return ok


def assign_reviewers(units: pd.DataFrame, rules: AssignmentRules, seed: int) -> Assignment:
    """Assign K reviewers to every unit of `units` (unit_id, district[, parent_union]).

    Deterministic for a seed; identical whatever the row order of `units`.
    """
    ordered = _order(units, seed)
    n = len(ordered)
    shifts = offsets(n, rules.per_unit)
    positions = np.arange(n, dtype=np.int64)
    reviewee = np.tile(positions, len(shifts))
    reviewer = (reviewee + np.repeat(shifts, n)) % n
    offset_of = np.repeat(np.arange(len(shifts)), n)
    check = _Rules(ordered, rules)
    ok = _repair(reviewer, reviewee, offset_of, check, seed) if n else np.zeros(0, dtype=bool)
    ids = check.ids
    pairs = pd.DataFrame({"reviewer_unit_id": ids[reviewer[ok]], "reviewee_unit_id": ids[reviewee[ok]]})
    pairs = pairs.sort_values(["reviewee_unit_id", "reviewer_unit_id"]).reset_index(drop=True)
    counts = pairs["reviewee_unit_id"].value_counts().reindex(ids, fill_value=0)
    wanted = rules.per_unit
    short = counts[counts < wanted]
    short_frame = pd.DataFrame(
        {
            "unit_id": short.index.astype(str),
            "reviewers": short.to_numpy(),
            "missing": wanted - short.to_numpy(),
        }
    ).sort_values("unit_id", ignore_index=True)
    return Assignment(pairs, short_frame, int((~ok).sum()))


def violations(pairs: pd.DataFrame, units: pd.DataFrame, rules: AssignmentRules) -> pd.DataFrame:
    """Every pair that breaks a rule: reviewer_unit_id, reviewee_unit_id, rule, detail.

    Works on an assignment or on a year's actual reviews (`assign --check`); the rules are
    `assignment_rules.rule_violations`, here on DataFrames.
    """
    parents = units["parent_union"] if "parent_union" in units else pd.Series(None, index=units.index)
    places = {
        str(unit): UnitPlace(_known(district), _known(parent))
        for unit, district, parent in zip(units["unit_id"], units["district"], parents, strict=True)
    }
    found = rule_violations(
        zip(pairs["reviewer_unit_id"], pairs["reviewee_unit_id"], strict=True), places, rules
    )
    return pd.DataFrame(
        found, columns=["reviewer_unit_id", "reviewee_unit_id", "rule", "detail"], dtype=object
    )


def _known(value: object) -> str | None:
    return None if value is None or value != value else str(value)


def balance(pairs: pd.DataFrame) -> tuple[int, int]:
    """(fewest, most) reviews given by any reviewer in `pairs`."""
    given = pairs["reviewer_unit_id"].value_counts()
    return (int(given.min()), int(given.max())) if len(given) else (0, 0)
