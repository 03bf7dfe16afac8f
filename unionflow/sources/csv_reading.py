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
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from unionflow.sources.rows import Header, is_blank_row, malformed
from unionflow.sources.text_encoding import FileEncoding, detect, foreign_bytes, iter_text_lines

# Cells are read whole, whatever their size, and judged by the contracts (`too_long`); the
# module's default cap (131,072 characters) would abort the file with `_csv.Error`.
csv.field_size_limit(2**31 - 1)

Item = tuple[str, str]  # (source ref fragment, payload text)


class _Lines:
    """The file's lines for csv.reader: remembers the lines of the record being read and takes
    lines back, so a runaway record's later lines can be read again."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.pushed: deque[str] = deque()
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.pushed.popleft() if self.pushed else next(self._lines)
        self.taken.append(line)
        return line

    def give_back(self, lines: list[str]) -> None:
        self.pushed.extendleft(reversed(lines))


def _lines_fragment(start: int, end: int) -> str:
    return f"line={start}" if start == end else f"lines={start}-{end}"


def runaway(row: list[str], width: int) -> str | None:
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
            if continuation.count(",") >= delimiters:
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

    def items(self) -> Iterator[Item]:
        """(fragment, payload) of every data row, in file order."""
        feed = _Lines(iter_text_lines(self.path, self.encoding))
        bad = self.encoding.bad_lines
        header: Header | None = None
        row_number = 1  # the spreadsheet row of the header
        while True:
            reader = csv.reader(feed)
            base = self.lines
            restart = False
            while not restart:
                feed.taken.clear()
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
                        malformed(f"not readable as CSV ({error})", _text="".join(feed.taken)),
                    )
                    break
                end = self.lines = base + reader.line_num
                if header is None:
                    # A header line in another encoding shows its bytes escaped in the names.
                    header = Header.of(row)
                    continue
                if bad and any(number in bad for number in range(start, end + 1)):
                    row_number += 1
                    yield _lines_fragment(start, end), foreign_bytes(self.encoding, "".join(feed.taken))
                    continue
                row_number += 1
                if end > start and (why := runaway(row, len(header.names))):
                    taken = list(feed.taken)
                    yield _lines_fragment(start, start), malformed(why, _text=taken[0])
                    feed.give_back(taken[1:])
                    self.lines = start
                    restart = True
                elif not is_blank_row(row):
                    yield f"row={row_number}", header.payload(row)
