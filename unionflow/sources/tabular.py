"""Reading CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, mixed) and XLSX files into row payloads.

The row number in each source ref is the one a user sees in Excel (header = row 1); a region of a
CSV file that is not a row (a quote runaway, bytes in another encoding) is named by its physical
lines (`line=7`, `lines=7-9`); a row on another sheet than the first names it (`sheet=Data&row=4`).
See `csv_reading` and `xlsx_reading` for the strictness rules.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import orjson

from unionflow.sources.csv_reading import CsvFile
from unionflow.sources.payloads import SourceError
from unionflow.sources.rows import MALFORMED_KEY
from unionflow.sources.text_encoding import decode_text
from unionflow.sources.xlsx_reading import XlsxFile

__all__ = [
    "CHUNK_ROWS",
    "TABULAR_SUFFIXES",
    "cycle_collection_paused",
    "decode_text",
    "iter_csv_rows",
    "iter_item_chunks",
    "iter_table_items",
    "iter_xlsx_rows",
]

TABULAR_SUFFIXES = (".csv", ".xlsx")

#: Rows decoded per chunk: big enough that per-row work runs in tight loops, small enough to keep
#: memory flat.
CHUNK_ROWS = 50_000


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a chunk of rows is built.

    Decoding a chunk allocates one list per row and no reference cycles, yet each allocation
    counts towards the collector's thresholds: in the 1,000,000-unit profile the collector's full
    passes over a large heap took twice as long as parsing the CSV itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def iter_item_chunks(
    items: Iterator[tuple[str, str]], size: int = CHUNK_ROWS
) -> Iterator[tuple[list[str], list[str]]]:
    """(fragments, payloads) of a reader's items, in chunks of at most `size`."""
    while True:
        with cycle_collection_paused():
            chunk = list(islice(items, size))
        if not chunk:
            return
        yield [fragment for fragment, _ in chunk], [payload for _, payload in chunk]


def iter_table_items(path: Path, fields: frozenset[str] | None = None) -> Iterator[tuple[str, str]]:
    """(source ref fragment, payload) of every row of a CSV or XLSX file, chosen by suffix.

    `fields` (every field name and Chinese header of the record kind) picks an XLSX file's sheet.
    """
    if path.suffix.lower() == ".xlsx":
        return XlsxFile(path, fields).items()
    return CsvFile(path).items()


def _rows(path: Path, items: Iterator[tuple[str, str]]) -> Iterator[tuple[int, str]]:
    for fragment, payload in items:
        number = fragment.rpartition("row=")[2]
        if not number.isdigit():
            reason = orjson.loads(payload).get(MALFORMED_KEY, "not readable")
            raise SourceError(f"{path.name} {fragment.replace('=', ' ')}: {reason}")
        yield int(number), payload


def iter_csv_rows(path: Path) -> Iterator[tuple[int, str]]:
    """(spreadsheet row number, payload) of every data row of a CSV file read on its own (a
    conflicts list): a region that is not a row is a `SourceError`."""
    return _rows(path, CsvFile(path).items())


def iter_xlsx_rows(path: Path, fields: frozenset[str] | None = None) -> Iterator[tuple[int, str]]:
    """(row number, payload) of every data row of the sheet an XLSX file's records are on."""
    return _rows(path, XlsxFile(path, fields).items())
