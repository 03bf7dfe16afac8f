"""The CSV outputs of SPEC section 9: scores.csv, allocations.csv and quarantine.csv.

UTF-8 with BOM so Excel opens Chinese names correctly; text that starts like a formula is
neutralised; numbers are formatted here (4 decimals for scores) so the bytes are reproducible.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assessment.scoring import SCORE_COLUMNS
from reports.cells import FORMULA_PATTERN, neutralise

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


def score_column(values: pd.Series) -> list[str]:
    """`score_cell` of a whole column."""
    floats = pd.to_numeric(values.astype(object), errors="coerce").astype("float64").to_numpy()
    return ["" if v != v else f"{v:.4f}" for v in floats.tolist()]


def integer_column(values: pd.Series) -> list[str]:
    """`integer_cell` of a whole column."""
    present = values.astype(object).where(values.notna(), None).tolist()
    return ["" if v is None else str(int(v)) for v in present]


def text_column(values: pd.Series) -> list[str]:
    """`text_cell` of a whole column, neutralised by Arrow's kernels rather than value by value."""
    text = pa.array(values.astype("string"), pa.string(), from_pandas=True)
    risky = pc.fill_null(pc.match_substring_regex(text, FORMULA_PATTERN), False)
    safe = pc.if_else(risky, pc.utf8_replace_slice(text, 0, 0, "'"), text)
    return pc.fill_null(safe, "").to_pylist()


_COLUMN_FORMATS = {"int": integer_column, "score": score_column, "text": text_column}


def formatted_rows(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> Iterator[tuple[str, ...]]:
    """The frame's cells as CSV text, formatted a whole column at a time: (name, kind) per column,
    kind one of int, score, text. A 1,000,000-unit year took 20 s formatted cell by cell."""
    return zip(*(_COLUMN_FORMATS[kind](frame[name]) for name, kind in columns), strict=True)


SCORES_FORMATS = (
    ("year", "int"),
    ("unit_id", "text"),
    ("name", "text"),
    ("level", "text"),
    ("indicator_score", "score"),
    ("peer_score", "score"),
    ("bonus", "score"),
    ("total", "score"),
    ("rank", "int"),
    ("rank_in_level", "int"),
    ("grade", "text"),
    ("n_reviews", "int"),
    ("flags", "text"),
)
ALLOCATIONS_FORMATS = (
    ("year", "int"),
    ("unit_id", "text"),
    ("name", "text"),
    ("total", "score"),
    ("grade", "text"),
    ("amount_cny", "int"),
    ("reason", "text"),
)
QUARANTINE_FORMATS = (
    ("record_kind", "text"),
    ("source_ref", "text"),
    ("unit_id", "text"),
    ("year", "int"),
    ("rule", "text"),
    ("message", "text"),
)
assert tuple(name for name, _ in SCORES_FORMATS) == SCORES_HEADER
assert tuple(name for name, _ in ALLOCATIONS_FORMATS) == ALLOCATIONS_HEADER
assert tuple(name for name, _ in QUARANTINE_FORMATS) == QUARANTINE_HEADER


def write_scores(path: Path, scores: pd.DataFrame) -> None:
    """scores.csv: one row per active unit, sorted by rank then unit_id (unranked last)."""
    write_csv(path, SCORES_HEADER, formatted_rows(scores, SCORES_FORMATS))


def write_allocations(path: Path, allocations: pd.DataFrame) -> None:
    """allocations.csv: every unit's amount, sorted by amount descending then unit_id, then TOTAL."""
    total = ("TOTAL", "", "", "", "", str(int(allocations["amount_cny"].sum())), "")
    rows = itertools.chain(formatted_rows(allocations, ALLOCATIONS_FORMATS), [total])
    write_csv(path, ALLOCATIONS_HEADER, rows)


def write_quarantine(path: Path, quarantine: pd.DataFrame) -> None:
    """quarantine.csv: every quarantined record of the year with its rule and message."""
    write_csv(path, QUARANTINE_HEADER, formatted_rows(quarantine, QUARANTINE_FORMATS))
