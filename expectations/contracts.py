"""The record contracts of SPEC section 4, one pandera schema pair per record kind.

Validation runs in two passes over whole frames. The *text* pass looks at fields as received
(missing, not a number, bad time, too long, not an allowed value); the *record* pass looks at
typed values and context (ranges, cross-field consistency, registry, year, deadline, reviewer
rules). A value that failed the text pass is missing in the typed frame, so it is never blamed
twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from expectations import numbers
from expectations.checks import (
    RecordCheck,
    as_text,
    field_range_checks,
    field_text_checks,
    not_greater,
    quoted,
    row_check,
    schema_of,
)
from expectations.fields import FIELDS, Field
from unionflow.records import RecordKind


@dataclass(frozen=True)
class Registry:
    """What the contracts need to know of the pilot-unit registry."""

    units: pd.DataFrame  # unit_id, active_from, active_to, district

    @classmethod
    def empty(cls) -> Registry:
        return cls(pd.DataFrame({"unit_id": [], "active_from": [], "active_to": [], "district": []}))

    @cached_property
    def _ids(self) -> pyarrow.Array:
        return numbers.arrow_text(self.units["unit_id"])

    @cached_property
    def columns(self) -> dict[str, pyarrow.Array]:
        """active_from, active_to (int64) and district (string), in registry order, for `take`."""
        return {
            "active_from": pyarrow.array(self.units["active_from"], pyarrow.int64(), from_pandas=True),
            "active_to": pyarrow.array(self.units["active_to"], pyarrow.int64(), from_pandas=True),
            "district": numbers.arrow_text(self.units["district"]),
        }

    def positions(self, unit_ids: pd.Series) -> pyarrow.Array:
        """Each id's row in the registry (null where it is not registered), by hash lookup."""
        return pc.index_in(numbers.arrow_text(unit_ids), value_set=self._ids)


@dataclass(frozen=True)
class YearContext:
    """The run's year, its deadline and what records are checked against."""

    year: int
    deadline: pd.Timestamp
    registry: Registry
    # Reviewer → reviewee pairs assigned for the year; None when the year has no assignments.
    assignments: pd.DataFrame | None = None
    # Unit pairs declared in conflict (either order), beyond sharing a district.
    conflicts: pd.DataFrame | None = field(default=None)
    # Rules a data steward waived for a payload by releasing it: payload_id, rule.
    waivers: pd.DataFrame | None = field(default=None)


def required_columns(kind: RecordKind) -> list[str]:
    """Fields that must be present and non-empty."""
    return [f.name for f in FIELDS[kind] if f.required]


def text_checks(kind: RecordKind) -> list[RecordCheck]:
    """Per-field text rules of a record kind."""
    return [check for f in FIELDS[kind] for check in field_text_checks(f)]


def text_schema(kind: RecordKind) -> tuple[pa.DataFrameSchema, list[RecordCheck]]:
    """The text-pass schema of a kind and the checks it runs."""
    checks = text_checks(kind)
    columns = [f.name for f in FIELDS[kind]]
    return schema_of(checks, columns, required_columns(kind)), checks


def _range_checks(fields: tuple[Field, ...]) -> list[RecordCheck]:
    return [check for f in fields for check in field_range_checks(f)]


# --- units -------------------------------------------------------------------------------------


def unit_checks() -> list[RecordCheck]:
    """Record-pass rules of a pilot unit."""
    return [
        *_range_checks(FIELDS["unit"]),
        not_greater("active_from<=active_to", "active_from", "active_to"),
    ]


# --- submissions -------------------------------------------------------------------------------


def _registered(frame: pd.DataFrame, prefix: str) -> pd.Series:
    return frame[f"{prefix}registered"] | frame[f"{prefix}unit_id"].isna()


def _active(frame: pd.DataFrame, prefix: str, year: int) -> pd.Series:
    active_to = frame[f"{prefix}active_to"].fillna(9999)
    active = (frame[f"{prefix}active_from"] <= year) & (year <= active_to)
    return active | ~frame[f"{prefix}registered"]


def _unit_rules(prefix: str, role: str, year: int) -> list[RecordCheck]:
    column = f"{prefix}unit_id"
    return [
        row_check(
            f"unknown_unit:{column}",
            "unknown_unit",
            lambda frame: _registered(frame, prefix),
            lambda rows: (
                role
                + " "
                + quoted(rows[column])
                + " is not in the pilot-unit registry; correct the id or register the unit"
            ),
        ),
        row_check(
            f"inactive_unit:{column}",
            "inactive_unit",
            lambda frame: _active(frame, prefix, year),
            lambda rows: (
                role
                + " "
                + quoted(rows[column])
                + f" is not an active pilot unit in {year} (active "
                + as_text(rows[f"{prefix}active_from"])
                + "–"
                + rows[f"{prefix}active_to"].astype("string").fillna("")
                + ")"
            ),
        ),
    ]


def _year_rule(year: int) -> RecordCheck:
    return row_check(
        "wrong_year:year",
        "wrong_year",
        lambda frame: frame["year"] == year,
        lambda rows: "year " + as_text(rows["year"]) + f" is not the assessment year {year} being collected",
    )


def submission_checks(context: YearContext) -> list[RecordCheck]:
    """Record-pass rules of a submission (SPEC section 4)."""
    deadline = context.deadline
    return [
        *_range_checks(FIELDS["submission"]),
        not_greater("union_members<=employees", "union_members", "employees"),
        not_greater("training_sessions<=trainees", "training_sessions", "trainees", when="training_sessions"),
        not_greater("finalists<=participants", "competition_finalists", "competition_participants"),
        not_greater("studios_city_level<=studios", "studios_city_level", "studios"),
        not_greater("adopted<=submitted", "proposals_adopted", "proposals_submitted"),
        *_unit_rules("", "unit_id", context.year),
        _year_rule(context.year),
        row_check(
            "late:submitted_at",
            "late",
            # NaT compares False, not missing: a bad time is `bad_timestamp`'s business, not late.
            lambda frame: (frame["submitted_at"] <= deadline) | frame["submitted_at"].isna(),
            lambda rows: (
                "submitted_at "
                + rows["submitted_text"].astype("string")
                + f" is after the deadline {deadline.tz_convert('Asia/Shanghai').isoformat()}; "
                "release it only if an extension was granted"
            ),
        ),
    ]


# --- reviews -----------------------------------------------------------------------------------


def review_checks(context: YearContext) -> list[RecordCheck]:
    """Record-pass rules of a peer review (SPEC section 4)."""
    checks = [
        *_range_checks(FIELDS["review"]),
        *_unit_rules("reviewer_", "reviewer_unit_id", context.year),
        *_unit_rules("reviewee_", "reviewee_unit_id", context.year),
        _year_rule(context.year),
        row_check(
            "self_review:reviewer_unit_id",
            "self_review",
            lambda frame: frame["reviewer_unit_id"] != frame["reviewee_unit_id"],
            lambda rows: "unit " + quoted(rows["reviewer_unit_id"]) + " reviewed itself",
        ),
        row_check(
            "conflict_of_interest:district",
            "conflict_of_interest",
            lambda frame: (
                (frame["reviewer_district"] != frame["reviewee_district"])
                | (frame["reviewer_unit_id"] == frame["reviewee_unit_id"])
            ),
            lambda rows: (
                "reviewer "
                + quoted(rows["reviewer_unit_id"])
                + " and reviewee "
                + quoted(rows["reviewee_unit_id"])
                + " are both in district "
                + quoted(rows["reviewer_district"])
            ),
        ),
        row_check(
            "conflict_of_interest:declared",
            "conflict_of_interest",
            lambda frame: ~frame["declared_conflict"],
            lambda rows: (
                "reviewer "
                + quoted(rows["reviewer_unit_id"])
                + " and reviewee "
                + quoted(rows["reviewee_unit_id"])
                + " are declared in conflict"
            ),
        ),
    ]
    if context.assignments is not None:
        checks.append(
            row_check(
                "unassigned:reviewer_unit_id",
                "unassigned",
                lambda frame: frame["assigned"],
                lambda rows: (
                    "reviewer "
                    + quoted(rows["reviewer_unit_id"])
                    + " was not assigned to review "
                    + quoted(rows["reviewee_unit_id"])
                    + f" in {context.year}"
                ),
            )
        )
    return checks


def record_checks(kind: RecordKind, context: YearContext) -> list[RecordCheck]:
    """Record-pass rules for any kind."""
    if kind == "unit":
        return unit_checks()
    if kind == "submission":
        return submission_checks(context)
    return review_checks(context)


def record_schema(
    kind: RecordKind, context: YearContext, columns: list[str]
) -> tuple[pa.DataFrameSchema, list[RecordCheck]]:
    """The record-pass schema of a kind over a typed frame with `columns`."""
    checks = record_checks(kind, context)
    return schema_of(checks, columns), checks
