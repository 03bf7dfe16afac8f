"""Making text safe in spreadsheet cells."""

from __future__ import annotations

# Spreadsheet programs run a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: The same test as a regular expression, for whole columns (Arrow's RE2 kernel).
FORMULA_PATTERN = r"^[=+\-@\t\r]"


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with a quote, so it shows as text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
