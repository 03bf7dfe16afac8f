"""Subsidy allocation (SPEC §8), in integer CNY.

``proportional`` (default): floor L, cap U, step S, budget B; amounts follow the weight
w = total − pass_mark (or total) through Σ clamp(λ·w, L, U) = B, rounded down to S, and the
remainder is handed out S at a time by fractional part. ``tiered``: a fixed amount per grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from unionflow.assessment.config import AllocationConfig, AssessmentConfig
from unionflow.assessment.scoring import total_key

ALLOCATION_COLUMNS: tuple[str, ...] = ("unit_id", "total", "grade", "amount_cny", "reason")
FUNDED = "funded"
BUDGET_EXHAUSTED = "budget_exhausted"
INELIGIBLE = "ineligible"

#: SPEC §8 tolerance for float noise in x / S (floor) and in the fractional part (remainder).
_EPS = 1e-9


class AllocationInfeasible(ValueError):
    """The tiered amounts need more than the budget; ``shortfall`` is how much more (CNY)."""

    def __init__(self, shortfall: int, budget: int) -> None:
        self.shortfall = shortfall
        self.budget = budget
        super().__init__(f"tiered amounts need {shortfall} CNY more than the budget {budget}")


@dataclass(frozen=True)
class AllocationResult:
    """Allocation of one year: per-unit rows and the budget identity
    ``budget = allocated + unallocated``."""

    allocations: pd.DataFrame
    budget: int
    allocated: int
    unallocated: int
    method: str
    #: λ of the proportional solve (None when not needed: nobody kept, or all at the cap).
    lam: float | None = None
    #: Why more than one step stays unallocated (None when at most one step does): SPEC §8's
    #: rules leave money unspent in a few situations, and a summary must say which one it was.
    unallocated_reason: LeftoverReason | None = None


@dataclass(frozen=True)
class LeftoverReason:
    """Why more than one step of the budget stays unallocated: a code of the catalogue's
    `[leftover]` section and the figures its sentence names (stored with the allocation run,
    rendered in the reader's language by `unionflow.reports.leftover`)."""

    code: str
    params: dict[str, int | float | str]


#: The codes `leftover_reason` can give, each a sentence in both catalogues.
LEFTOVER_CODES: tuple[str, ...] = (
    "none_eligible",
    "tiered_below_budget",
    "tie_group_above_floor",
    "all_at_cap",
    "equal_group_step",
    "weights_at_limits",
)


def leftover_reason(
    frame: pd.DataFrame, unallocated: int, a: AllocationConfig, stopped_at: int | None
) -> LeftoverReason | None:
    """Explain an unallocated remainder above one step from the allocation rows (pure).

    `stopped_at`: the size of the group of equal units the remainder could not be handed to.
    """
    if unallocated <= a.step:
        return None
    funded = frame[frame["reason"] == FUNDED]
    exhausted = frame[frame["reason"] == BUDGET_EXHAUSTED]
    if funded.empty and exhausted.empty:
        return LeftoverReason("none_eligible", {"grades": ", ".join(a.eligible_grades)})
    if a.method == "tiered":
        return LeftoverReason("tiered_below_budget", {"funded": len(funded)})
    if not exhausted.empty:
        top = float(exhausted["total"].max())
        group = int((exhausted["total"] == top).sum())
        return LeftoverReason(
            "tie_group_above_floor",
            {"group": group, "total": top, "need": group * a.floor, "floor": a.floor},
        )
    if (funded["amount_cny"] == a.cap).all():
        return LeftoverReason("all_at_cap", {"funded": len(funded), "cap": a.cap})
    if stopped_at is not None:
        return LeftoverReason(
            "equal_group_step", {"group": stopped_at, "need": stopped_at * a.step, "step": a.step}
        )
    return LeftoverReason("weights_at_limits", {"floor": a.floor})


def keep_whole_tie_groups(totals: np.ndarray, max_units: int) -> np.ndarray:
    """Mask of the longest prefix (by descending total) of whole tie groups with ≤ max_units."""
    values, counts = np.unique(totals, return_counts=True)
    cum = np.cumsum(counts[::-1])
    n_groups = int(np.count_nonzero(cum <= max_units))
    if n_groups == 0:
        return np.zeros(len(totals), dtype=bool)
    threshold = values[::-1][n_groups - 1]
    return totals >= threshold


def solve_lambda(w: np.ndarray, budget: int, floor: int, cap: int) -> float | None:
    """λ with Σ clamp(λ·w_i, L, U) = B, solved exactly on the segment between breakpoints.

    Requires n·L ≤ B < n·U. Units with w_i ≤ 0 sit at L for every λ ≥ 0. Returns None when B is
    out of reach (every unit with w_i > 0 already at U, or no such unit): the caller then uses
    the limit (w_i > 0 → U, else L).
    """
    pos = w > 0
    wp = w[pos]
    n_zero = int(np.count_nonzero(~pos))
    if wp.size == 0 or budget >= n_zero * floor + wp.size * cap:
        return None
    lo = floor / wp  # below: unit at L
    hi = cap / wp  # above: unit at U
    # f at every breakpoint from sorted breakpoints and cumulative weights (O(n log n)).
    order_lo = np.argsort(lo, kind="stable")
    order_hi = np.argsort(hi, kind="stable")
    lo_s, hi_s = lo[order_lo], hi[order_hi]
    cum_lo = np.concatenate(([0.0], np.cumsum(wp[order_lo])))
    cum_hi = np.concatenate(([0.0], np.cumsum(wp[order_hi])))
    points = np.unique(np.concatenate((lo_s, hi_s)))
    n_lo_le = np.searchsorted(lo_s, points, side="right")  # a_i ≤ p: in the middle or at U
    n_hi_le = np.searchsorted(hi_s, points, side="right")  # b_i ≤ p: at U
    n_at_floor = n_zero + (wp.size - n_lo_le)
    w_mid = cum_lo[n_lo_le] - cum_hi[n_hi_le]
    f = floor * n_at_floor + cap * n_hi_le + points * w_mid
    # f is non-decreasing and f(min a_i) = n·L ≤ B < f(max b_i): the segment is [p_k, p_k+1).
    # f(min a_i) is n·L exactly in real numbers, but p·w in floats can land a hair above it
    # (105 / 24.62 · 24.62 = 105.00000000000001): the first segment then still holds B.
    below = np.flatnonzero(f <= budget)
    k = int(below.max()) if below.size else 0
    p = points[k]
    # Recount the segment's sets directly (not from cumulative sums) for an exact equation.
    at_floor = lo > p
    at_cap = hi <= p
    middle = ~at_floor & ~at_cap
    slope = float(wp[middle].sum())
    fixed = floor * (n_zero + int(np.count_nonzero(at_floor))) + cap * int(np.count_nonzero(at_cap))
    if slope <= 0:  # pragma: no cover - only when f(p_k) == B exactly with float noise
        return float(p)
    return float((budget - fixed) / slope)


def _proportional(
    totals: np.ndarray, a: AllocationConfig
) -> tuple[np.ndarray, np.ndarray, float | None, int | None]:
    """Amounts (int64), kept mask, λ, and the size of the group the remainder stopped at (if any)."""
    budget, floor, cap, step = a.budget, a.floor, a.cap, a.step
    n = totals.size
    kept = np.ones(n, dtype=bool)
    if n * floor > budget:
        kept = keep_whole_tie_groups(totals, budget // floor)
    amounts = np.zeros(n, dtype=np.int64)
    m = int(np.count_nonzero(kept))
    if m * cap <= budget:
        amounts[kept] = cap
        return amounts, kept, None, None

    t = totals[kept]
    w = t - a.pass_mark if a.weight == "excess" else t.copy()
    # A negative weight (a unit below the pass mark made eligible) behaves like 0: it sits at L.
    w = np.maximum(w, 0.0)
    lam = solve_lambda(w, budget, floor, cap)
    x = np.where(w > 0, float(cap), float(floor)) if lam is None else np.clip(lam * w, floor, cap)
    units = np.floor(x / step + _EPS)
    alloc = (units * step).astype(np.int64)

    remainder = budget - int(alloc.sum())
    frac = x / step - units
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    group_frac = np.zeros(values.size)
    group_frac[inverse] = frac  # equal x → equal fractional part
    candidates = np.flatnonzero(group_frac > _EPS)
    # Order: fractional part descending, then x descending.
    candidates = candidates[np.lexsort((-values[candidates], -group_frac[candidates]))]
    cost = np.cumsum(counts[candidates] * step)
    # Stop at the first group that does not fit: costs are positive, so that is a prefix.
    granted = np.zeros(values.size, dtype=bool)
    fits = cost <= remainder
    granted[candidates[fits]] = True
    alloc = alloc + np.where(granted[inverse], step, 0)
    misfit = int(np.count_nonzero(fits))
    stopped_at = int(counts[candidates[misfit]]) if misfit < candidates.size else None

    amounts[kept] = alloc
    return amounts, kept, lam, stopped_at


def allocate(
    scores: pd.DataFrame, cfg: AssessmentConfig, *, excluded_unit_ids: Iterable[object] = ()
) -> AllocationResult:
    """Allocate the subsidy budget over the units in ``scores`` (``unit_id, total, grade``).

    Every unit gets a row: ``unit_id, total, grade, amount_cny`` (int64) and ``reason``
    (``funded`` / ``budget_exhausted`` / ``ineligible``), sorted by amount descending then
    unit_id. Steward-excluded units are ``ineligible``. Totals are compared rounded to 9
    decimals (as for ranks), so float noise never separates equal totals.

    Raises :class:`AllocationInfeasible` when ``tiered`` amounts exceed the budget.
    """
    a = cfg.allocation
    if scores["unit_id"].duplicated().any():
        raise ValueError("scores must list each unit_id once")
    df = scores[["unit_id", "total", "grade"]].reset_index(drop=True).copy()
    df["total"] = df["total"].astype(np.float64)
    key = total_key(df["total"]).to_numpy()
    excluded = pd.Index(list(excluded_unit_ids))
    eligible = (
        df["grade"].isin(list(a.eligible_grades)).to_numpy()
        & ~df["unit_id"].isin(excluded).to_numpy()
        & ~np.isnan(key)
    )

    amount = np.zeros(len(df), dtype=np.int64)
    reason = np.full(len(df), INELIGIBLE, dtype=object)
    idx = np.flatnonzero(eligible)
    lam: float | None = None
    stopped_at: int | None = None
    if a.method == "tiered":
        tier = df["grade"].map(dict(a.tiered)).to_numpy()
        amount[idx] = tier[idx].astype(np.int64)
        need = int(amount.sum())
        if need > a.budget:
            raise AllocationInfeasible(need - a.budget, a.budget)
        reason[idx] = FUNDED
    else:
        amounts, kept, lam, stopped_at = _proportional(key[idx], a)
        amount[idx] = amounts
        reason[idx] = np.where(kept, FUNDED, BUDGET_EXHAUSTED)

    df["amount_cny"] = amount
    df["reason"] = pd.Series(reason, dtype=object)
    df = df.sort_values(["amount_cny", "unit_id"], ascending=[False, True], kind="stable")
    allocated = int(amount.sum())
    rows = df.reset_index(drop=True)[list(ALLOCATION_COLUMNS)]
    return AllocationResult(
        allocations=rows,
        budget=a.budget,
        allocated=allocated,
        unallocated=a.budget - allocated,
        method=a.method,
        lam=lam,
        unallocated_reason=leftover_reason(rows, a.budget - allocated, a, stopped_at),
    )
