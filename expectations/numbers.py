"""Vectorised parsing of numeric and time text (SPEC section 4).

Numeric text is NFKC-normalised (full-width digits and commas become ASCII) and correctly grouped
thousands separators are removed, so "１２００" and "1,200" are 1200; "12人" and "N/A" are not numbers.
"""

from __future__ import annotations

import pandas as pd

# DECIMAL(18, 2) in the warehouse: 16 digits before the point.
MONEY_LIMIT = 10**15

_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_INTEGER = r"[+-]?\d+(?:\.0+)?"  # "12.0" is a whole number (Excel writes integers as floats)
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_ISO_WITH_OFFSET = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)"


def normalise_numeric_text(text: pd.Series) -> pd.Series:
    """NFKC, trimmed, with thousands separators removed where the grouping is a real one."""
    normal = text.astype("string").str.normalize("NFKC").str.strip()
    grouped = normal.str.fullmatch(_GROUPED).fillna(False).astype(bool)
    return normal.where(~grouped, normal.str.replace(",", "", regex=False))


def is_decimal_text(normal: pd.Series) -> pd.Series:
    """True where normalised text is a decimal number (NA stays NA)."""
    return normal.str.fullmatch(_DECIMAL)


def is_integer_text(normal: pd.Series) -> pd.Series:
    """True where normalised text is a whole number (NA stays NA)."""
    return normal.str.fullmatch(_INTEGER)


def to_integer(normal: pd.Series) -> pd.Series:
    """Whole numbers as nullable Int64; anything else becomes NA."""
    valid = is_integer_text(normal).fillna(False).astype(bool)
    digits = normal.where(valid).str.replace(r"\.0+$", "", regex=True)
    # Values beyond int64 are not counts anyone reports; float64 keeps them out of range checks.
    numbers = pd.to_numeric(digits, errors="coerce")
    too_big = numbers.abs() >= 2**62
    return numbers.mask(too_big).round().astype("Int64")


def to_decimal(normal: pd.Series) -> pd.Series:
    """Decimal numbers as nullable Float64; anything else becomes NA."""
    valid = is_decimal_text(normal).fillna(False).astype(bool)
    return pd.to_numeric(normal.where(valid), errors="coerce").astype("Float64")


def decimal_places(normal: pd.Series) -> pd.Series:
    """Significant digits after the decimal point ("12.340" has 2)."""
    fraction = normal.str.extract(r"\.(\d*)$", expand=False).str.rstrip("0")
    return fraction.str.len().fillna(0).astype("Int64")


def is_timestamp_text(text: pd.Series) -> pd.Series:
    """True where text is ISO 8601 with a UTC offset and a real calendar time."""
    stripped = text.astype("string").str.strip()
    shaped = stripped.str.fullmatch(_ISO_WITH_OFFSET)
    parsed = to_timestamp(stripped)
    return (shaped & parsed.notna()).mask(stripped.isna())


def to_timestamp(text: pd.Series) -> pd.Series:
    """UTC timestamps; text without an offset or not a real time becomes NaT."""
    stripped = text.astype("string").str.strip()
    shaped = stripped.str.fullmatch(_ISO_WITH_OFFSET).fillna(False).astype(bool)
    return pd.to_datetime(stripped.where(shaped), utc=True, errors="coerce", format="ISO8601")
