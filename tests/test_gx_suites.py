"""The committed GX suites: well-formed, canonical JSON, and every expectation both passes and fails.

Small hand-made frames; each check gets one mutation that must make exactly that check fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from expectations.derived import (
    grades_consistent,
    jump_factor,
    review_frames,
    score_frames,
    submission_frames,
)
from expectations.gx_runner import SuiteOutcome, run_suites
from expectations.suites import (
    SUITES,
    batches_of,
    bound,
    dump_suite_spec,
    iter_checks,
    load_suite_spec,
    suite_severity,
    suite_text,
)

YEAR = 2025
UNITS = ["U-001", "U-002", "U-003", "U-004", "U-005"]


def _submission(unit: str, number: int, **changes: float) -> dict[str, object]:
    row: dict[str, object] = {
        "submission_id": f"S-{number:03d}",
        "unit_id": unit,
        "employees": 100 + number,
        "trainees": 150,
        "skill_upgrades": 10,
        "competition_participants": 30,
        "innovation_results": 2,
        "innovation_value_cny": 50_000.0,
        "proposals_submitted": 20,
        "workers_served": 300,
    }
    row.update(changes)
    return row


def good_frames() -> dict[str, pd.DataFrame]:
    """Frames on which every suite passes, built by the real derivations."""
    active = pd.DataFrame({"unit_id": UNITS})
    submissions = pd.DataFrame([_submission(u, i) for i, u in enumerate(UNITS, start=1)])
    previous = pd.DataFrame([_submission("U-001", 99, trainees=120)])
    reviews = pd.DataFrame(
        [
            {
                "review_id": f"R-{a}-{b}",
                "reviewer_unit_id": a,
                "reviewee_unit_id": b,
                "guidance": 50 + (i * 7) % 40,
                "skills": 75,
                "innovation": 80,
                "institution": 78,
                "service": 82,
            }
            for i, (a, b) in enumerate((a, b) for a in UNITS for b in UNITS if a != b)
        ]
    )
    scores = pd.DataFrame(
        {
            "unit_id": UNITS,
            "total": [91.5, 80.0, 80.0, 65.25, None],
            "rank": [1, 2, 2, 4, None],
            "grade": ["excellent", "good", "good", "pass", "missing"],
        }
    )
    allocations = pd.DataFrame(
        {
            "unit_id": UNITS,
            "amount_cny": [20_000, 12_300, 12_300, 0, 0],
            "reason": ["funded", "funded", "funded", "ineligible", "ineligible"],
        }
    )
    run = {"allocation_run_id": 1, "budget": 50_000, "floor": 5_000, "cap": 20_000, "step": 100}
    return {
        **submission_frames(YEAR, submissions, active, previous),
        **review_frames(reviews, active),
        **score_frames(scores, allocations, run),
    }


def _set(batch: str, column: str, value: object, row: int = 0) -> Callable[[dict[str, pd.DataFrame]], None]:
    def mutate(frames: dict[str, pd.DataFrame]) -> None:
        frame = frames[batch].copy()
        if frame[column].dtype == bool and not isinstance(value, bool | np.bool_):
            frame[column] = frame[column].astype(object)
        frame.loc[frame.index[row], column] = value
        frames[batch] = frame

    return mutate


def _duplicate(batch: str, **changes: object) -> Callable[[dict[str, pd.DataFrame]], None]:
    def mutate(frames: dict[str, pd.DataFrame]) -> None:
        frame = frames[batch]
        extra = frame.iloc[[0]].assign(**changes)
        frames[batch] = pd.concat([frame, extra], ignore_index=True)

    return mutate


#: One mutation per check that must make that check fail.
BREAKS: dict[str, Callable[[dict[str, pd.DataFrame]], None]] = {
    "year_summary_row": _duplicate("year_summary"),
    "coverage_min": _set("year_summary", "coverage", 0.1),
    "one_submission_per_unit": _duplicate("submissions", submission_id="S-900"),
    "submission_id_unique": _set("submissions", "submission_id", "S-002"),
    "submitter_active": _set("submissions", "unit_active", False),
    "employees_positive": _set("submissions", "employees", 0),
    "coverage_target": _set("year_summary", "coverage", 0.8),
    "trainees_per_employee": _set("submissions", "trainees_per_employee", 50.0),
    "innovation_value_per_employee": _set("submissions", "innovation_value_per_employee", 1e6),
    "proposals_per_employee": _set("submissions", "proposals_per_employee", 12.0),
    "year_over_year_jump": _set("submissions", "yoy_jump_factor", 6.0),
    "one_review_per_pair": _duplicate("reviews", review_id="R-extra"),
    "review_id_unique": _set("reviews", "review_id", "R-U-001-U-003"),
    "lowest_score_min": _set("reviews", "lowest_score", -1.0),
    "highest_score_max": _set("reviews", "highest_score", 101.0),
    "no_self_review": _set("reviews", "self_review", True),
    "min_reviews": _set("reviewees", "n_valid_reviews", 2),
    "reviewer_spread": _set("reviewers", "score_spread", 0.0),
    "total_range": _set("scores", "total", 120.0),
    "one_score_per_unit": _duplicate("scores"),
    "grade_known": _set("scores", "grade", "great"),
    "grade_consistent": _set("scores", "grade_consistent", False),
    "one_allocation_per_unit": _duplicate("allocations"),
    "amount_within_bounds": _set("allocations", "amount_within_bounds", False),
    "allocation_summary_row": _duplicate("allocation_summary"),
    "within_budget": _set("allocation_summary", "budget_headroom", -100),
}

CHECKS = [(suite, e["meta"]["check"]) for suite, e in iter_checks()]


@cache
def _good_outcomes() -> tuple[SuiteOutcome, ...]:
    return tuple(run_suites(SUITES, good_frames()))


# --- the JSON files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SUITES)
def test_suite_files_are_canonical_pretty_json(name: str) -> None:
    text = suite_text(name)
    assert dump_suite_spec(json.loads(text)) == text
    assert "\n  " in text  # indented, not one line


@pytest.mark.parametrize("name", SUITES)
def test_suite_files_load_as_gx_suites(name: str) -> None:
    import great_expectations as gx

    spec = load_suite_spec(name)
    suite = gx.ExpectationSuite(**spec)
    assert suite.name == name
    assert len(suite.expectations) == len(spec["expectations"])
    assert {str(e.severity.value) for e in suite.expectations} == {suite_severity(name)}


def test_every_check_has_a_breaking_batch_and_names_are_unique() -> None:
    names = [check for _, check in CHECKS]
    assert len(names) == len(set(names))
    assert set(names) == set(BREAKS)


def test_bounds_are_read_from_the_suites() -> None:
    assert bound("reviews.warning", "min_reviews", "min_value") == 3
    assert bound("submissions.warning", "year_over_year_jump", "max_value") == 5


# --- pass and fail per expectation --------------------------------------------------------------------


def test_every_expectation_passes_on_good_frames() -> None:
    outcomes = _good_outcomes()
    failed = [e.line for o in outcomes for e in o.failures]
    assert failed == []
    assert sum(o.evaluated for o in outcomes) == len(CHECKS)
    assert all(o.success for o in outcomes)


@pytest.mark.parametrize(("suite", "check"), CHECKS, ids=[c for _, c in CHECKS])
def test_each_expectation_fails_on_its_bad_batch(suite: str, check: str) -> None:
    frames = good_frames()
    BREAKS[check](frames)
    batches = set(batches_of(load_suite_spec(suite)))
    (outcome,) = run_suites([suite], {b: frames[b] for b in batches})
    failed = {e.check: e for e in outcome.failures}
    assert set(failed) == {check}, [e.line for e in outcome.failures]
    assert not outcome.success
    line = failed[check].line
    assert line.startswith(f"{suite} · ") and "failed" in line


def test_failure_lines_name_the_failing_rows() -> None:
    frames = good_frames()
    BREAKS["trainees_per_employee"](frames)
    (outcome,) = run_suites(["submissions.warning"], frames)
    (failure,) = outcome.failures
    assert "U-001" in failure.line and "50" in failure.line
    assert failure.severity == "warning"


# --- derivations ----------------------------------------------------------------------------------------


def test_jump_factor_is_symmetric_and_smoothed() -> None:
    factors = jump_factor(pd.Series([600.0, 100.0, 3.0, 5.0]), pd.Series([100.0, 600.0, 0.0, None]))
    assert factors[0] == pytest.approx(601 / 101)
    assert factors[1] == factors[0]
    assert factors[2] == pytest.approx(4.0)
    assert np.isnan(factors[3])


def test_year_over_year_uses_the_previous_accepted_submission() -> None:
    active = pd.DataFrame({"unit_id": ["U-001", "U-002"]})
    current = pd.DataFrame([_submission("U-001", 1, trainees=1200), _submission("U-002", 2)])
    previous = pd.DataFrame([_submission("U-001", 9, trainees=100)])
    frame = submission_frames(YEAR, current, active, previous)["submissions"]
    assert frame.loc[0, "yoy_jump_field"] == "trainees"
    assert frame.loc[0, "yoy_jump_factor"] == pytest.approx(1201 / 101)
    assert np.isnan(frame.loc[1, "yoy_jump_factor"])


def test_coverage_counts_active_units_only() -> None:
    active = pd.DataFrame({"unit_id": ["U-001", "U-002", "U-003", "U-004"]})
    current = pd.DataFrame([_submission("U-001", 1), _submission("U-999", 2)])
    frames = submission_frames(YEAR, current, active, pd.DataFrame())
    summary = frames["year_summary"].iloc[0]
    assert summary["coverage"] == 0.25 and summary["active_units"] == 4
    assert list(frames["submissions"]["unit_active"]) == [True, False]


def test_grades_consistent_flags_inversions_and_missing_totals() -> None:
    scores = pd.DataFrame(
        {
            "total": [90.0, 70.0, 80.0, None, 55.0],
            "grade": ["excellent", "good", "pass", "pass", "fail"],
        }
    )
    # 70 'good' above 80 'pass' is an inversion (both flagged); a grade without total is wrong.
    assert grades_consistent(scores).tolist() == [True, False, False, False, True]


def test_allocation_frames_check_bounds_and_budget() -> None:
    scores = pd.DataFrame({"unit_id": ["A"], "total": [80.0], "rank": [1], "grade": ["good"]})
    allocations = pd.DataFrame(
        {
            "unit_id": ["A", "B", "C"],
            "amount_cny": [20_050, 4_000, 100],
            "reason": ["funded"] * 2 + ["ineligible"],
        }
    )
    run = {"allocation_run_id": 7, "budget": 20_000, "floor": 5_000, "cap": 25_000, "step": 100}
    frames = score_frames(scores, allocations, run)
    assert frames["allocations"]["amount_within_bounds"].tolist() == [False, False, False]
    assert frames["allocation_summary"].iloc[0]["budget_headroom"] == 20_000 - 24_150


def test_suites_module_does_not_import_great_expectations() -> None:
    source = Path(__file__).parents[1] / "expectations" / "suites.py"
    assert "import great_expectations" not in source.read_text(encoding="utf-8")
