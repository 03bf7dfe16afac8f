"""Worksheet rows as XML, a column at a time: the fast path of report.xlsx's data sheets.

XlsxWriter spends about 5 µs per cell (a Python call, a dict entry and an XML write each), which is
110 s for the 20 million cells of a 1,000,000-unit year. In constant_memory mode it streams each
finished row to a temporary file and copies that file into the sheet; this module writes the data
rows into that same file, rendered column by column with comprehensions, in exactly the XML
XlsxWriter writes (a test compares the two workbooks byte for byte). XlsxWriter still writes
everything else: header row, formats, widths, panes, autofilter, the other parts of the package.

The one deliberate difference: XlsxWriter writes a string that starts with "<r>" and ends with
"</r>" unescaped (as rich text), so a unit named like that could corrupt the workbook; here every
string is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

# Characters XlsxWriter escapes or marks, as in xlsxwriter.xmlwriter and xlsxwriter.utility:
# control characters (→ _xHHHH_), literal _xHHHH_ (→ _x005F_xHHHH_), XML specials, non-characters,
# and leading or trailing whitespace (Python's \s: xml:space="preserve").
_WHITESPACE = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
_SPECIAL = (
    r"[\x00-\x08\x0b-\x1f&<>\x{fffe}\x{ffff}]|_x[0-9a-fA-F]{4}_|^" + _WHITESPACE + "|" + _WHITESPACE + "$"
)
_CONTROL_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_OR_TRAILING_SPACE = re.compile(r"^\s|\s$")

#: Rows rendered and written per block, to bound memory on a million-row sheet.
BLOCK_ROWS = 50_000


def _special_inline(value: str) -> tuple[str, str]:
    """(attribute for <t>, escaped text) of a string needing XlsxWriter's escapes."""
    text = _CONTROL_ESCAPED.sub(r"_x005F\1", value)
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if _LEADING_OR_TRAILING_SPACE.search(text) else ""
    return preserve, text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cells(letter: str, style: str, rows: range, values: Sequence[Any]) -> list[str | None]:
    flagged = pc.fill_null(
        pc.match_substring_regex(pa.array(values, pa.string()), _SPECIAL), False
    ).to_pylist()
    cells: list[str | None] = []
    for row, value, special in zip(rows, values, flagged, strict=True):
        if value is None:
            cells.append(None)
        elif special:
            preserve, text = _special_inline(value)
            cells.append(f'<c r="{letter}{row}"{style} t="inlineStr"><is><t{preserve}>{text}</t></is></c>')
        else:
            cells.append(f'<c r="{letter}{row}"{style} t="inlineStr"><is><t>{value}</t></is></c>')
    return cells


def _number_cells(letter: str, style: str, rows: range, values: Sequence[Any]) -> list[str | None]:
    return [
        None if value is None else f'<c r="{letter}{row}"{style}><v>{value:.16G}</v></c>'
        for row, value in zip(rows, values, strict=True)
    ]


def write_rows(
    handle: IO[str],
    first_row: int,
    columns: Sequence[Sequence[Any]],
    kinds: Sequence[str],
    styles: Sequence[int | None],
) -> None:
    """Write rows as <row> elements: `columns[c][i]` is the cell of column c in sheet row
    `first_row + i` (zero-based); None leaves it empty. `kinds[c]` is "text" or "number";
    `styles[c]` the cell format's XF index, or None for no format."""
    count = len(columns[0]) if columns else 0
    for start in range(0, count, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, count)
        numbers = range(first_row + start + 1, first_row + stop + 1)  # Excel's one-based rows
        rendered = []
        for position, (values, kind, style) in enumerate(zip(columns, kinds, styles, strict=True)):
            letter = xl_col_to_name(position)
            attribute = "" if style is None else f' s="{style}"'
            render = _text_cells if kind == "text" else _number_cells
            rendered.append(render(letter, attribute, numbers, values[start:stop]))
        handle.write(
            "".join(
                f'<row r="{number}">' + "".join(cell for cell in cells if cell is not None) + "</row>"
                for number, *cells in zip(numbers, *rendered, strict=True)
            )
        )
