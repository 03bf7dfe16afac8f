"""Score and allocation runs as typed rows: what a run was made from, and what it holds.

Read with `warehouse.sql.records` (DuckDB's Python values, no pandas) and built by field name, so
a column a later add-only migration appends does not break an older reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Self


class _Row:
    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The row from a `records()` dict; columns the dataclass does not name are ignored."""
        return cls(**{f.name: record[f.name] for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class ScoreRun(_Row):
    """One score run of a year: its peer method and the hashes of the config and inputs it used."""

    score_run_id: int
    year: int
    peer_method: str
    config_hash: str
    input_hash: str
    created_at: dt.datetime


@dataclass(frozen=True)
class AllocationRun(_Row):
    """One allocation run: the score run it split the budget over, its parameters and its totals."""

    allocation_run_id: int
    year: int
    score_run_id: int
    method: str
    budget: int
    floor: int
    cap: int
    step: int
    allocated: int
    unallocated: int
    config_hash: str
    input_hash: str
    status: str  # draft | published | superseded
    created_at: dt.datetime
    published_at: dt.datetime | None
    superseded_reason: str | None
