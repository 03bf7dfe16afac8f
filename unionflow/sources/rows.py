"""Turning a table's header and rows into payloads: records, or `malformed` rows that say why.

Shared by the CSV and XLSX readers. A row becomes a record (a JSON object keyed by the header)
only when that mapping is unambiguous; otherwise it becomes a *malformed payload*, a JSON object
with `_malformed` (what is wrong, in words a steward can act on) and the row's cells or text, so
its content stays visible in the quarantine and is never silently altered. Positions (row and
line numbers) are in the source ref, not the payload, so the same bad row received twice is a
replay like any other payload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

MALFORMED_KEY = "_malformed"


def malformed(reason: str, **content: Any) -> str:
    """The payload text of a region that cannot be read as a record."""
    return orjson.dumps({MALFORMED_KEY: reason, **content}).decode("utf-8")


def column_letter(position: int) -> str:
    """The spreadsheet column name of a 0-based position (0 → A, 26 → AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell(value: Any) -> Any:
    """A cell value as JSON can hold it (dates as ISO text, decimals as text)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def is_blank_row(row: list[Any]) -> bool:
    """A row whose every cell is empty or spaces (skipped, but still counted)."""
    return all(_blank(value) for value in row)


@dataclass(frozen=True)
class Header:
    """A table's header row and the columns whose names repeat."""

    names: list[str]
    repeated: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, cells: list[Any]) -> Header:
        names = ["" if value is None else str(value).strip() for value in cells]
        # Trailing unnamed columns are formatting (Excel's used range), not data.
        while names and names[-1] == "":
            names.pop()
        positions: dict[str, list[int]] = {}
        for position, name in enumerate(names):
            positions.setdefault(name, []).append(position)
        return cls(names, {name: where for name, where in positions.items() if len(where) > 1})

    def payload(self, row: list[Any]) -> str:
        """The payload of one data row: a record, or a malformed payload saying why not."""
        width = len(self.names)
        if len(row) > width:
            extra = row[width:]
            if not is_blank_row(extra):
                return malformed(
                    f"the row has {len(row)} cells but the header names {width} columns; "
                    "a value is in a column without a header (a stray delimiter?)",
                    _row=[_text(value) for value in row],
                )
            row = row[:width]
        if self.repeated:
            problem = self._ambiguity(row)
            if problem:
                return malformed(problem, _header=self.names, _row=[_text(value) for value in row])
        return orjson.dumps(dict(zip(self.names, row, strict=False))).decode("utf-8")

    def _ambiguity(self, row: list[Any]) -> str | None:
        for name, positions in self.repeated.items():
            values = [_text(row[p]) if p < len(row) else "" for p in positions]
            if len({value.strip() for value in values}) > 1:
                columns = " and ".join(column_letter(p) for p in positions)
                held = " and ".join(
                    repr(value if len(value) <= 40 else value[:37] + "...") for value in values
                )
                return (
                    f"the header names column {name!r} more than once (columns {columns}) and this "
                    f"row holds different values ({held}); keep one column"
                )
        return None


def _cut(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def _text(value: Any) -> str:
    return "" if value is None else str(cell(value))
