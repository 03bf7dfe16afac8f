"""Making text safe in spreadsheet cells."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Spreadsheet programs run a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: The same test as a regular expression, for whole columns (Arrow's RE2 kernel).
FORMULA_PATTERN = r"^[=+\-@\t\r]"


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with a quote, so it shows as text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


# Whole columns, the way the CSV files and the workbook both write them. Formatting value by value
# cost 20 s for a 1,000,000-unit year; these convert a column at once.


def cell_floats(values: pd.Series) -> list[float]:
    """A numeric column as floats, NaN where missing."""
    return pd.to_numeric(values.astype(object), errors="coerce").astype("float64").to_numpy().tolist()


def cell_integers(values: pd.Series) -> list[int | None]:
    """A whole-number column as ints, None where missing."""
    present = values.astype(object).where(values.notna(), None).tolist()
    return [None if v is None else int(v) for v in present]


def cell_texts(values: pd.Series) -> list[str | None]:
    """A column as text neutralised like `neutralise` (by Arrow's kernels), None where missing."""
    text = pa.array(values.astype("string"), pa.string(), from_pandas=True)
    risky = pc.fill_null(pc.match_substring_regex(text, FORMULA_PATTERN), False)
    return pc.if_else(risky, pc.utf8_replace_slice(text, 0, 0, "'"), text).to_pylist()
