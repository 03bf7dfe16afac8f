"""Strict CSV reading: every physical line ends in a record, a `malformed` row, the header or a
counted blank row, and no cell silently swallows other rows.

Python's csv module follows a quote to wherever it closes, so one stray opening quote turns every
following row into the text of one cell. A record that spans several lines is therefore checked:
it is a *quote runaway* when its cell count differs from the header's or when a line inside one of
its cells has a row's worth of delimiters. Then only its first line (where the quote opened) is
quarantined and the lines after it are read again as rows. Genuine multi-line cells (a summary
with line breaks, as Excel quotes it) keep their shape and are read as one record.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import orjson

from unionflow.sources.rows import Header, malformed
from unionflow.sources.text_encoding import FileEncoding, detect, foreign_bytes, iter_text_lines

# Cells are read whole, whatever their size, and judged by the contracts (`too_long`); the
# module's default cap (131,072 characters) would abort the file with `_csv.Error`.
csv.field_size_limit(2**31 - 1)

Item = tuple[str, str]  # (source ref fragment, payload text)


def _tracked(lines: Iterator[str], taken: list[str]) -> Iterator[str]:
    """The file's lines for csv.reader, each also appended to `taken` (the lines of the record
    being read), so a runaway record's later lines can be read again. A generator, not an
    iterator class: it is resumed once per line of the file."""
    for line in lines:
        taken.append(line)
        yield line


def _lines_fragment(start: int, end: int) -> str:
    return f"line={start}" if start == end else f"lines={start}-{end}"


def delimiter_of(header_line: str) -> str:
    """The file's delimiter, from its header line: a tab when the header has tabs and no comma
    (Excel's "Unicode text" export, saved as .csv), else a comma (SPEC section 4's CSV).

    Read from the header only, never guessed per row: a data row's cells may hold either.
    """
    return "\t" if "\t" in header_line and "," not in header_line else ","


def runaway(row: list[str], width: int, delimiter: str = ",") -> str | None:
    """Why a record read over several lines is a quote runaway, or None when it is a genuine
    multi-line cell."""
    cells = len(row)
    while cells > width and row[cells - 1] == "":
        cells -= 1
    if cells != width:
        return (
            f"a quoted cell opened on this line runs on over the following lines, giving a record "
            f'of {cells} cells where the header names {width}; a stray " is the usual cause'
        )
    delimiters = max(1, width - 1)
    for value in row:
        for continuation in value.splitlines()[1:]:
            if continuation.count(delimiter) >= delimiters:
                return (
                    "a quoted cell opened on this line runs on over the following lines, which "
                    'look like rows of their own; a stray " is the usual cause'
                )
    return None


class CsvFile:
    """One CSV file being read: its encoding and what reading it found."""

    def __init__(self, path: Path, encoding: FileEncoding | None = None) -> None:
        self.path = path
        self.encoding: FileEncoding = encoding or detect(path)
        self.lines = 0  # physical lines read
        self.delimiter = ","  # set from the header line when reading starts

    def items(self) -> Iterator[Item]:
        """(fragment, payload) of every data row, in file order."""
        source: Iterator[str] = iter_text_lines(self.path, self.encoding)
        first = next(source, None)
        if first is None:
            return
        self.delimiter = delimiter_of(first)
        source = chain([first], source)
        taken: list[str] = []
        bad = self.encoding.bad_lines
        header: Header | None = None
        row_number = 1  # the spreadsheet row of the header
        dumps = orjson.dumps
        while True:
            reader = csv.reader(_tracked(source, taken), delimiter=self.delimiter)
            base = self.lines
            restart = False
            while not restart:
                taken.clear()
                start = self.lines + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    # Should not happen with strict=False and whole-line input; kept visible anyway.
                    self.lines = base + reader.line_num
                    yield (
                        _lines_fragment(start, self.lines),
                        malformed(f"not readable as CSV ({error})", _text="".join(taken)),
                    )
                    break
                end = self.lines = base + reader.line_num
                if header is None:
                    # A header line in another encoding shows its bytes escaped in the names.
                    header = Header.of(row)
                    names, width, plain = header.names, len(header.names), not header.repeated
                    continue
                row_number += 1
                if bad and any(number in bad for number in range(start, end + 1)):
                    yield _lines_fragment(start, end), foreign_bytes(self.encoding, "".join(taken))
                elif end > start and (why := runaway(row, width, self.delimiter)):
                    yield _lines_fragment(start, start), malformed(why, _text=taken[0])
                    # Read the lines after the opening one again, then the rest of the file.
                    source = chain(taken[1:], source)
                    taken = []
                    self.lines = start
                    restart = True
                elif not "".join(row).strip():
                    continue  # a blank row: counted, not a record
                elif plain and len(row) <= width:
                    # The common case, inlined: one call per row costs at a million rows.
                    yield f"row={row_number}", dumps(dict(zip(names, row, strict=False))).decode()
                else:
                    yield f"row={row_number}", header.payload(row)
