"""Rule codes of SPEC section 4: the same codes appear in quarantine, reports, filters and docs."""

from __future__ import annotations

RULES: dict[str, str] = {
    "malformed": "not a parseable record",
    "missing_field": "a required field is missing or empty",
    "not_a_number": "a numeric field holds text that is not a number (or a fraction in a count)",
    "bad_timestamp": "a time is unparseable or has no UTC offset",
    "out_of_range": "a value is outside its allowed range or set",
    "inconsistent": "two fields contradict each other",
    "too_long": "a text is longer than allowed",
    "unsafe_text": "a text holds a control character or a bidi override",
    "unknown_unit": "the unit is not in the pilot-unit registry",
    "inactive_unit": "the unit is not active in the assessment year",
    "wrong_year": "the record is for another year than the one collected",
    "late": "submitted after the deadline",
    "conflicting_duplicate": "the same id was received before with different content",
    "self_review": "a unit reviewed itself",
    "conflict_of_interest": "reviewer and reviewee are in the same district or declared in conflict",
    "unassigned": "the reviewer was not assigned to this reviewee",
}


def join_rules(rules: list[str]) -> str:
    """The `rule` column: every distinct rule broken, sorted, joined with ';'."""
    return ";".join(sorted(set(rules)))
