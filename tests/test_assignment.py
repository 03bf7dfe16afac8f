"""Reviewer assignment (issue 7): rules never broken, balanced where feasible, deterministic."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionflow.assessment.assignment import AssignmentRules, assign_reviewers, balance, offsets, violations


@st.composite
def registries(draw: st.DrawFn) -> tuple[pd.DataFrame, frozenset[tuple[str, str]]]:
    n = draw(st.integers(min_value=2, max_value=80))
    districts = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=n, max_size=n))
    parents = draw(st.lists(st.sampled_from(["P1", "P2", "P3", None]), min_size=n, max_size=n))
    units = pd.DataFrame(
        {"unit_id": [f"U{i:03d}" for i in range(n)], "district": districts, "parent_union": parents}
    )
    ids = list(units["unit_id"])
    conflicts = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=5))
    return units, frozenset((a, b) for a, b in conflicts if a != b)


@settings(max_examples=120, deadline=None)
@given(registries(), st.integers(min_value=1, max_value=6), st.booleans(), st.integers(0, 2**31))
def test_an_assignment_never_breaks_a_rule(registry, per_unit, parent_rule, seed) -> None:
    units, conflicts = registry
    rules = AssignmentRules(per_unit, parent_rule, conflicts)
    assignment = assign_reviewers(units, rules, seed)
    assert violations(assignment.pairs, units, rules).empty
    assert not assignment.pairs.duplicated().any()


@settings(max_examples=120, deadline=None)
@given(registries(), st.integers(min_value=1, max_value=6), st.integers(0, 2**31))
def test_every_unit_gets_k_reviewers_and_reviews_k_when_districts_allow(registry, per_unit, seed) -> None:
    units, _ = registry
    n = len(units)
    largest_district = units["district"].value_counts().max()
    feasible = len(offsets(n, per_unit)) == per_unit and largest_district <= (n - 1) // 2 - per_unit + 1
    assignment = assign_reviewers(units, AssignmentRules(per_unit), seed)
    if feasible:
        assert assignment.feasible
        assert balance(assignment.pairs) == (per_unit, per_unit)
        assert (assignment.pairs["reviewee_unit_id"].value_counts() == per_unit).all()
    fewest, most = balance(assignment.pairs)
    assert most - fewest <= per_unit  # never more than K reviews by anyone


@settings(max_examples=60, deadline=None)
@given(registries(), st.integers(min_value=1, max_value=6), st.integers(0, 2**31))
def test_the_same_seed_gives_the_same_assignment_whatever_the_row_order(registry, per_unit, seed) -> None:
    units, conflicts = registry
    rules = AssignmentRules(per_unit, False, conflicts)
    first = assign_reviewers(units, rules, seed)
    again = assign_reviewers(units.sample(frac=1, random_state=seed % 1000), rules, seed)
    pd.testing.assert_frame_equal(first.pairs, again.pairs)


@settings(max_examples=80, deadline=None)
@given(registries(), st.integers(min_value=1, max_value=6), st.integers(0, 2**31))
def test_units_short_of_reviewers_are_reported_exactly(registry, per_unit, seed) -> None:
    units, conflicts = registry
    assignment = assign_reviewers(units, AssignmentRules(per_unit, True, conflicts), seed)
    got = assignment.pairs["reviewee_unit_id"].value_counts().reindex(units["unit_id"], fill_value=0)
    expected_short = set(got[got < per_unit].index)
    assert set(assignment.short_of_reviewers["unit_id"]) == expected_short


def test_one_district_holding_most_units_is_reported_not_looped_on() -> None:
    units = pd.DataFrame({"unit_id": list("ABCDEFGH"), "district": list("xxxxxxxy")})
    assignment = assign_reviewers(units, AssignmentRules(3), seed=1)
    assert not assignment.feasible
    assert "A" in set(assignment.short_of_reviewers["unit_id"]) or len(assignment.short_of_reviewers) >= 6


def test_different_seeds_give_different_designs() -> None:
    units = pd.DataFrame({"unit_id": [f"U{i:03d}" for i in range(60)], "district": list("ABCDEF") * 10})
    first = assign_reviewers(units, AssignmentRules(5), seed=1).pairs
    second = assign_reviewers(units, AssignmentRules(5), seed=2).pairs
    assert not first.equals(second)


def test_no_pair_reviews_each_other() -> None:
    units = pd.DataFrame({"unit_id": [f"U{i:03d}" for i in range(50)], "district": list("ABCDE") * 10})
    pairs = assign_reviewers(units, AssignmentRules(5), seed=3).pairs
    forward = set(zip(pairs["reviewer_unit_id"], pairs["reviewee_unit_id"], strict=True))
    assert not {(b, a) for a, b in forward} & forward


@pytest.mark.parametrize(
    ("pair", "rule"),
    [(("A", "A"), "self_review"), (("A", "B"), "conflict_of_interest"), (("A", "Z"), "unknown_unit")],
)
def test_check_lists_each_violation(pair: tuple[str, str], rule: str) -> None:
    units = pd.DataFrame({"unit_id": ["A", "B", "C"], "district": ["x", "x", "y"]})
    pairs = pd.DataFrame({"reviewer_unit_id": [pair[0]], "reviewee_unit_id": [pair[1]]})
    assert list(violations(pairs, units, AssignmentRules(1))["rule"]) == [rule]


def test_declared_conflicts_are_checked_in_both_directions() -> None:
    units = pd.DataFrame({"unit_id": ["A", "B"], "district": ["x", "y"]})
    pairs = pd.DataFrame({"reviewer_unit_id": ["B"], "reviewee_unit_id": ["A"]})
    found = violations(pairs, units, AssignmentRules(1, conflicts=frozenset({("A", "B")})))
    assert list(found["detail"]) == ["declared conflict"]
