"""What a reviewer → reviewee pair must not be, checked pair by pair (no pandas, no numpy).

The rules of the mutual review (SPEC section 7): no self-review, no pair within one district, no
declared conflict, only active pilot units, and optionally no pair under one parent union. Kept
apart from `assignment` (which builds assignments with pandas) so that `assign --check` answers
without importing pandas (issue 15); `assignment.violations` is this function on DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: One broken rule: (reviewer_unit_id, reviewee_unit_id, rule, detail).
Violation = tuple[str, str, str, str]


@dataclass(frozen=True)
class AssignmentRules:
    """What a reviewer → reviewee pair must not be."""

    per_unit: int = 5
    avoid_same_parent_union: bool = False
    # Declared conflicts: unit pairs (either order) that must never review each other.
    conflicts: frozenset[tuple[str, str]] = field(default_factory=frozenset)


@dataclass(frozen=True)
class UnitPlace:
    """Where an active unit sits: its district and parent union (None when not recorded)."""

    district: str | None
    parent_union: str | None = None


def rule_violations(
    pairs: Iterable[tuple[str, str]], units: Mapping[str, UnitPlace], rules: AssignmentRules
) -> list[Violation]:
    """Every pair that breaks a rule, sorted; a pair may break several.

    A unit missing from `units`, or without a district, is `unknown_unit` (not an active pilot unit).
    """
    declared = {(a, b) for a, b in rules.conflicts} | {(b, a) for a, b in rules.conflicts}
    nowhere = UnitPlace(None)
    found: list[Violation] = []
    for reviewer, reviewee in pairs:
        giver, taker = units.get(reviewer, nowhere), units.get(reviewee, nowhere)
        own = reviewer == reviewee
        if own:
            found.append((reviewer, reviewee, "self_review", "a unit reviews itself"))
        if not own and giver.district is not None and giver.district == taker.district:
            found.append((reviewer, reviewee, "conflict_of_interest", f"same district {giver.district}"))
        if (reviewer, reviewee) in declared:
            found.append((reviewer, reviewee, "conflict_of_interest", "declared conflict"))
        if giver.district is None or taker.district is None:
            found.append((reviewer, reviewee, "unknown_unit", "not an active pilot unit"))
        parent = giver.parent_union
        if rules.avoid_same_parent_union and not own and parent is not None and parent == taker.parent_union:
            found.append((reviewer, reviewee, "conflict_of_interest", f"same parent union {parent}"))
    return sorted(found)
