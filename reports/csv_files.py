"""The CSV outputs of SPEC section 9: scores.csv, allocations.csv and quarantine.csv.

UTF-8 with BOM so Excel opens Chinese names correctly; text that starts like a formula is
neutralised; numbers are formatted here (4 decimals for scores) so the bytes are reproducible.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from assessment.scoring import SCORE_COLUMNS
from reports.cells import neutralise

# SPEC section 9: the year, then the score table's columns in scoring order.
SCORES_HEADER = ("year", *SCORE_COLUMNS)
ALLOCATIONS_HEADER = ("year", "unit_id", "name", "total", "grade", "amount_cny", "reason")
QUARANTINE_HEADER = ("record_kind", "source_ref", "unit_id", "year", "rule", "message")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def score_cell(value: Any) -> str:
    """A score with 4 decimals, or empty."""
    return "" if _missing(value) else f"{float(value):.4f}"


def integer_cell(value: Any) -> str:
    """An integer, or empty."""
    return "" if _missing(value) else str(int(value))


def text_cell(value: Any) -> str:
    """Text, neutralised against formula injection, or empty."""
    return "" if _missing(value) else neutralise(str(value))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a CSV file as UTF-8 with BOM and CRLF line ends (what Excel expects)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_scores(path: Path, scores: pd.DataFrame) -> None:
    """scores.csv: one row per active unit, sorted by rank then unit_id (unranked last)."""
    rows = (
        (
            integer_cell(r.year),
            text_cell(r.unit_id),
            text_cell(r.name),
            text_cell(r.level),
            score_cell(r.indicator_score),
            score_cell(r.peer_score),
            score_cell(r.bonus),
            score_cell(r.total),
            integer_cell(r.rank),
            integer_cell(r.rank_in_level),
            text_cell(r.grade),
            integer_cell(r.n_reviews),
            text_cell(r.flags),
        )
        for r in scores.itertuples(index=False)
    )
    write_csv(path, SCORES_HEADER, rows)


def write_allocations(path: Path, allocations: pd.DataFrame) -> None:
    """allocations.csv: every unit's amount, sorted by amount descending then unit_id, then TOTAL."""
    rows: list[tuple[str, ...]] = [
        (
            integer_cell(r.year),
            text_cell(r.unit_id),
            text_cell(r.name),
            score_cell(r.total),
            text_cell(r.grade),
            integer_cell(r.amount_cny),
            text_cell(r.reason),
        )
        for r in allocations.itertuples(index=False)
    ]
    rows.append(("TOTAL", "", "", "", "", str(int(allocations["amount_cny"].sum())), ""))
    write_csv(path, ALLOCATIONS_HEADER, rows)


def write_quarantine(path: Path, quarantine: pd.DataFrame) -> None:
    """quarantine.csv: every quarantined record of the year with its rule and message."""
    rows = (
        (
            text_cell(r.record_kind),
            text_cell(r.source_ref),
            text_cell(r.unit_id),
            integer_cell(r.year),
            text_cell(r.rule),
            text_cell(r.message),
        )
        for r in quarantine.itertuples(index=False)
    )
    write_csv(path, QUARANTINE_HEADER, rows)
