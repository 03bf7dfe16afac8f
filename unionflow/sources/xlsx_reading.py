"""Reading an XLSX workbook: the sheet whose header row names the record's fields, whichever it is.

Excel exports often open with a cover or instructions sheet. The sheet read is the one whose
first row holds the most field names (English or Chinese); a workbook where no sheet's header
names at least two fields, and a file that is not a readable workbook at all (damaged zip, zero
bytes, a renamed CSV), become one `malformed` row naming the file, and the collection goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from unionflow.sources.rows import Header, cell, is_blank_row, malformed

Item = tuple[str, str]  # (source ref fragment, payload text)

# A header must name at least this many fields (or every one of its cells) to be the data sheet:
# a cover sheet saying "考核年度 2025" names one.
MIN_FIELDS_NAMED = 2


def _header_of(sheet: Any) -> list[Any]:
    for row in sheet.iter_rows(min_row=1, max_row=1, values_only=True):
        return list(row)
    return []


def _fields_named(header: list[Any], fields: frozenset[str]) -> int:
    names = {str(value).strip() for value in header if value is not None}
    named = len(names & fields)
    return named if named >= MIN_FIELDS_NAMED or (names and named == len(names)) else 0


class XlsxFile:
    """One workbook being read: which sheet, and whether it could be read at all."""

    def __init__(
        self, path: Path, fields: frozenset[str] | None = None, identity: dict[str, str] | None = None
    ) -> None:
        self.path = path
        self.fields = fields
        # Added to a whole-file malformed payload (its name and SHA-256), so that two different
        # damaged files are never taken for replays of each other.
        self.identity = identity or {}
        self.sheet: str | None = None
        self.unreadable = False

    def _unreadable(self, reason: str, **content: Any) -> Item:
        self.unreadable = True
        return "", malformed(reason.replace(str(self.path), self.path.name), **self.identity, **content)

    def items(self) -> Iterator[Item]:
        """(fragment, payload) of every data row of the chosen sheet, in sheet order."""
        from openpyxl import load_workbook  # imported lazily: openpyxl costs start-up time

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a damaged file
            yield self._unreadable(f"not a readable XLSX workbook ({type(error).__name__}: {error})")
            return
        try:
            yield from self._sheet_items(workbook)
        finally:
            workbook.close()

    def _sheet_items(self, workbook: Any) -> Iterator[Item]:
        try:
            sheets = list(workbook.worksheets)
            headers = [_header_of(sheet) for sheet in sheets]
        except Exception as error:
            yield self._unreadable(f"the workbook's sheets cannot be read ({type(error).__name__}: {error})")
            return
        if not sheets:
            yield self._unreadable("the workbook has no worksheet")
            return
        if self.fields is None:
            chosen = 0
        else:
            scores = [_fields_named(header, self.fields) for header in headers]
            chosen = max(range(len(sheets)), key=lambda i: (scores[i], -i))
            if scores[chosen] == 0:
                names = ", ".join(repr(sheet.title) for sheet in sheets)
                yield self._unreadable(
                    f"no sheet has a header row naming the record's fields (sheets: {names}); "
                    "put the data on a sheet whose first row holds the column names",
                    _sheets={
                        sheet.title: [cell(v) for v in header]
                        for sheet, header in zip(sheets, headers, strict=True)
                    },
                )
                return
        sheet = sheets[chosen]
        self.sheet = sheet.title
        # The first sheet's rows are `row=N` as before; another sheet is named in every ref.
        prefix = "" if chosen == 0 else f"sheet={sheet.title}&"
        yield from self._rows(sheet.iter_rows(values_only=True), prefix)

    def _rows(self, rows: Iterable[tuple[Any, ...]], prefix: str) -> Iterator[Item]:
        number = 0
        header: Header | None = None
        try:
            for number, values in enumerate(rows, start=1):
                if header is None:
                    header = Header.of(list(values))
                    continue
                if is_blank_row(list(values)):
                    continue
                cells = [cell(value) for value in values]
                yield f"{prefix}row={number}", header.payload(cells)
        except Exception as error:
            yield (
                f"{prefix}row={number + 1}",
                malformed(
                    f"the sheet cannot be read from this row on ({type(error).__name__}: {error}); "
                    "the rows before it were read"
                ),
            )
