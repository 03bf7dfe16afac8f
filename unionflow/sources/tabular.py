"""Reading CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX files into row payloads.

DuckDB cannot read GBK here (its encodings extension cannot be downloaded), so text is decoded in
Python: strict UTF-8 first (a BOM is dropped), then GB18030, a superset of GBK that Excel on Chinese
Windows writes. The row number in each source ref is the one a user sees in Excel (header = row 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from unionflow.sources.payloads import SourceError

TABULAR_SUFFIXES = (".csv", ".xlsx")


def decode_text(data: bytes) -> str:
    """Decode file bytes as UTF-8 (with or without BOM), falling back to GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        # Neither encoding fits: keep every byte visible rather than fail the whole file; the
        # records will fail their contracts and reach quarantine where a steward can see them.
        return data.decode("utf-8", errors="replace")


def detect_encoding(path: Path) -> tuple[str, str]:
    """(encoding, error handling) for a text file, found in one streaming pass.

    Strict UTF-8 (a BOM is dropped) when every byte decodes, else GB18030 when that decodes,
    else UTF-8 with replacement characters, so that a damaged file still shows every record.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, "strict"
    return "utf-8", "replace"


#: Rows decoded per chunk: big enough that per-row work runs in tight comprehensions, small enough
#: to keep memory flat.
CHUNK_ROWS = 50_000


def _row_payload(header: list[str], row: list[Any]) -> str:
    if len(row) > len(header):
        # More cells than columns: the row cannot be mapped to fields; keep it whole.
        return orjson.dumps({"_row": [str(cell) for cell in row]}).decode("utf-8")
    return orjson.dumps(dict(zip(header, row, strict=False))).decode("utf-8")


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


def iter_csv_chunks(path: Path, size: int = CHUNK_ROWS) -> Iterator[tuple[list[int], list[str]]]:
    """(spreadsheet row numbers, payload JSON texts) of the data rows of a CSV file, in chunks.

    The file is streamed (a year's reviews can be gigabytes). Rows are handled a chunk at a time
    in comprehensions: the 1,000,000-unit profile showed a generator per row costing more than
    parsing the CSV itself.
    """
    encoding, errors = detect_encoding(path)
    with path.open(encoding=encoding, errors=errors, newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        width = len(header)
        dumps = orjson.dumps
        first = 2
        while True:
            with cycle_collection_paused():
                rows = list(islice(reader, size))
                # Blank rows (every cell empty or spaces) are skipped but still counted.
                kept = [(n, row) for n, row in enumerate(rows, start=first) if "".join(row).strip()]
                payloads = [
                    dumps(dict(zip(header, row, strict=False))).decode()
                    if len(row) <= width
                    else _row_payload(header, row)
                    for _, row in kept
                ]
                numbers = [n for n, _ in kept]
            if not rows:
                return
            first += len(rows)
            yield numbers, payloads


def iter_csv_rows(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (spreadsheet row number, payload JSON text) for every data row of a CSV file."""
    for numbers, payloads in iter_csv_chunks(path):
        yield from zip(numbers, payloads, strict=True)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def iter_xlsx_rows(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (row number, payload JSON text) for every data row of the first sheet of an XLSX."""
    from openpyxl import load_workbook  # imported lazily: openpyxl costs start-up time

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise SourceError(f"{path}: not a readable XLSX workbook ({type(error).__name__})") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(name).strip() if name is not None else "" for name in next(rows, ())]
        for number, row in enumerate(rows, start=2):
            if all(cell is None or str(cell).strip() == "" for cell in row):
                continue
            cells = [_cell(cell) for cell in row]
            # Trailing empty cells beyond the header are formatting, not data.
            while len(cells) > len(header) and cells[-1] is None:
                cells.pop()
            yield number, _row_payload(header, cells)
    finally:
        workbook.close()


def iter_table_rows(path: Path) -> Iterator[tuple[int, str]]:
    """Rows of a CSV or XLSX file, chosen by suffix."""
    if path.suffix.lower() == ".xlsx":
        return iter_xlsx_rows(path)
    return iter_csv_rows(path)


def iter_table_chunks(path: Path, size: int = CHUNK_ROWS) -> Iterator[tuple[list[int], list[str]]]:
    """(row numbers, payloads) of a CSV or XLSX file in chunks of at most `size` rows."""
    if path.suffix.lower() != ".xlsx":
        yield from iter_csv_chunks(path, size)
        return
    rows = iter_xlsx_rows(path)
    while chunk := list(islice(rows, size)):
        yield [n for n, _ in chunk], [payload for _, payload in chunk]
