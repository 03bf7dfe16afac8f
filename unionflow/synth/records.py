"""Small data classes passed between the planting, layout and manifest steps."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

Payload = dict[str, Any] | str  # a submission object, or raw text for a malformed line


@dataclass
class Planted:
    """One planted bad record and the rule codes (SPEC §4) it must receive, nothing else."""

    record_kind: str  # "unit" | "submission" | "review"
    kind: str  # what was done to it, e.g. "text_in_number"
    rules: list[str]
    id: str | None
    unit_id: str | None = None
    field: str | None = None
    detail: str = ""
    tag: str = ""  # links the record to its location once files are laid out
    location: dict[str, Any] | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The manifest entry."""
        entry: dict[str, Any] = {
            "record_kind": self.record_kind,
            "kind": self.kind,
            "id": self.id,
            "rules": sorted(self.rules),
            "rule": ";".join(sorted(self.rules)),
            "unit_id": self.unit_id,
            "detail": self.detail,
        }
        if self.field is not None:
            entry["field"] = self.field
        if self.location is not None:
            entry.update(self.location)
        entry.update(self.extra)
        return entry


@dataclass
class ExtraRecord:
    """A submission record placed on its own (not a clean generated row)."""

    payload: Payload
    target: str  # "portal" | "late" | "single" | "gbk" | "xlsx"
    key: float  # order within its target (export order; epoch seconds)
    tag: str


@dataclass
class SubmissionSet:
    """Everything that goes into submissions/: clean rows, extra records and what was planted."""

    clean: pd.DataFrame  # SUBMISSION_FIELDS + _unit, _t, _target, _key
    extras: list[ExtraRecord]
    planted: list[Planted]
    clean_tags: dict[int, str] = dataclasses.field(default_factory=dict)  # clean row -> tag, where needed
    replays: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    superseded: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    formatted_numbers: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    outliers: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclass
class ReviewSet:
    """The rows of reviews.csv in file order, with text that replaces some score cells."""

    frame: pd.DataFrame  # file order: _reviewer, _reviewee, _t, criteria ints, _comment
    unit_ids: np.ndarray  # id table that _reviewer/_reviewee index (registry ids + unknown ids)
    overrides: dict[str, dict[int, str]]  # column -> {row position: text written instead}
    planted: list[Planted]
    superseded: list[dict[str, Any]]
    behaviours: dict[str, Any]
    insufficient_reviews: list[str]
    year: int
    id_width: int  # review_id of file position p is R{year}-{p + 1:0{id_width}d}
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclass
class UnitSet:
    """units.csv rows in file order (good and planted bad rows)."""

    frame: pd.DataFrame
    planted: list[Planted]
