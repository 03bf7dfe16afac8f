"""report.xlsx: the workbook for leadership and stewards (SPEC section 9).

Sheets: Summary, Scores, Allocations, Flags, Quarantine. The Scores and Allocations sheets hold
exactly what scores.csv and allocations.csv hold, cell for cell (numbers stored as numbers: scores
rounded to 4 decimals, amounts as integers, the TOTAL line last), so a figure never differs between
the two. Codes (grades, reasons, rule codes) stay codes in the data sheets for the same reason; only
headers and the Summary sheet are translated.

Safety: every text cell is neutralised (`reports.cells.neutralise`) and written with `write_string`,
and the workbook never turns strings into formulas, URLs or numbers. Reproducibility: a fixed
`created` property and XlsxWriter's fixed zip timestamps make the same data give the same bytes.
Size: constant_memory mode streams rows to disk, and a table longer than a sheet (1,048,575 data
rows) continues on "Scores (2)", "Scores (3)", …
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from unionflow.reports.cells import cell_floats, cell_integers, cell_texts, neutralise
from unionflow.reports.csv_files import ALLOCATIONS_HEADER, QUARANTINE_HEADER, SCORES_HEADER
from unionflow.reports.data import ReportData, evidence_summary
from unionflow.reports.labels import (
    GRADE_ORDER,
    GRADES,
    LEVELS,
    STATUSES,
    check_lang,
    header,
    labels,
    translate,
)
from unionflow.reports.sheet_xml import write_rows

#: Data rows per sheet: Excel's 1,048,576 rows less the header row.
MAX_ROWS = 1_048_575
#: The workbook's `created` property: fixed, so two renders of the same data are byte-identical.
CREATED = dt.datetime(2000, 1, 1, 0, 0, 0)

SCORE_FORMAT = "0.0000"
CNY_FORMAT = "#,##0"


@dataclass(frozen=True)
class Column:
    """A data-sheet column: its CSV name, how its cells are written, and its width in characters."""

    name: str
    kind: str  # text | int | score | cny
    width: float


SCORES_COLUMNS = (
    Column("year", "int", 8),
    Column("unit_id", "text", 14),
    Column("name", "text", 44),
    Column("level", "text", 9),
    Column("indicator_score", "score", 14),
    Column("peer_score", "score", 12),
    Column("bonus", "score", 9),
    Column("total", "score", 10),
    Column("rank", "int", 7),
    Column("rank_in_level", "int", 12),
    Column("grade", "text", 11),
    Column("n_reviews", "int", 10),
    Column("flags", "text", 24),
)
ALLOCATIONS_COLUMNS = (
    Column("year", "int", 8),
    Column("unit_id", "text", 14),
    Column("name", "text", 44),
    Column("total", "score", 10),
    Column("grade", "text", 11),
    Column("amount_cny", "cny", 14),
    Column("reason", "text", 17),
)
FLAGS_COLUMNS = (
    Column("flag", "text", 18),
    Column("reviewer_unit_id", "text", 16),
    Column("reviewee_unit_id", "text", 16),
    Column("summary", "text", 60),
    Column("evidence", "text", 60),
)
QUARANTINE_COLUMNS = (
    Column("record_kind", "text", 12),
    Column("source_ref", "text", 42),
    Column("unit_id", "text", 14),
    Column("year", "int", 8),
    Column("rule", "text", 24),
    Column("message", "text", 90),
)
assert tuple(c.name for c in SCORES_COLUMNS) == SCORES_HEADER
assert tuple(c.name for c in ALLOCATIONS_COLUMNS) == ALLOCATIONS_HEADER
assert tuple(c.name for c in QUARANTINE_COLUMNS) == QUARANTINE_HEADER


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDE6F0", "bottom": 1, "border_color": "#9FB3C8", "valign": "top"}
        )
        self.score = book.add_format({"num_format": SCORE_FORMAT})
        self.cny = book.add_format({"num_format": CNY_FORMAT})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.label = book.add_format({"font_color": "#4A5563"})
        self.strong_cny = book.add_format({"num_format": CNY_FORMAT, "bold": True})
        self.integer = book.add_format({"num_format": "#,##0"})
        self.mono = book.add_format({"font_name": "Consolas"})
        self.section = book.add_format({"bold": True, "bottom": 1, "border_color": "#9FB3C8"})


def _prepared(values: pd.Series, kind: str) -> list[Any]:
    """One column's cell values ready to write (None: leave the cell empty, as the CSV's empty field).

    Converting whole columns up front keeps the per-cell loop to one call into XlsxWriter, which is
    what makes 100,000-unit workbooks fast enough.
    """
    if kind in ("text", "label"):
        # Text is neutralised like the CSV (the same function); an empty string is an empty cell.
        return [v or None for v in cell_texts(values)]
    if kind == "score":
        # round() is correctly rounded, so f"{cell:.4f}" reads back exactly as the CSV field.
        return [None if v != v else round(v, 4) for v in cell_floats(values)]
    if kind in ("int", "cny"):
        return list(cell_integers(values))
    raise ValueError(f"unknown column kind {kind!r}")


def _write_table(
    book: xlsxwriter.Workbook,
    fmt: _Formats,
    name: str,
    columns: Sequence[Column],
    frame: pd.DataFrame,
    lang: str,
    max_rows: int,
    last_row_kinds: Sequence[str] | None = None,
    last_row: Sequence[Any] | None = None,
    *,
    cell_by_cell: bool = False,
) -> list[str]:
    """Write a table on as many sheets as it needs ("Name", "Name (2)", …); returns their names.

    Each sheet gets the header row (frozen, with an autofilter) and the column widths. `last_row`
    (the TOTAL line) is written after the rows with its own cell kinds, counted like any row.
    """
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    kinds = [c.kind for c in columns]
    cells = [_prepared(frame[c.name], c.kind) for c in columns]
    count = len(frame)
    tail: list[Any] | None = None
    if last_row is not None:
        tail_kinds = list(last_row_kinds or kinds)
        tail = [
            _prepared(pd.Series([v], dtype=object), k)[0] for v, k in zip(last_row, tail_kinds, strict=True)
        ]
    total = count + (tail is not None)
    formats = {"text": None, "label": None, "int": None, "score": fmt.score, "cny": fmt.cny}
    names: list[str] = []
    for start in range(0, max(total, 1), max_rows):
        title = name if not names else f"{name} ({len(names) + 1})"
        names.append(title)
        ws = book.add_worksheet(title)
        for i, column in enumerate(columns):
            ws.set_column(i, i, column.width)
            ws.write_string(0, i, header(lang, column.name), fmt.header)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(min(max_rows, total - start), 1), len(columns) - 1)
        stop = min(start + max_rows, count)
        if stop > start:
            sheet_cells = [column[start:stop] for column in cells]
            if cell_by_cell:
                _write_cells(ws, sheet_cells, [formats[k] for k in kinds], kinds)
            else:
                _write_rows_as_xml(ws, sheet_cells, [formats[k] for k in kinds], kinds)
        if tail is not None and start <= count < start + max_rows:
            _write_cells(
                ws, [[v] for v in tail], [formats[k] for k in tail_kinds], tail_kinds, count - start + 1
            )
    return names


def _write_cells(
    ws: Worksheet,
    columns: Sequence[Sequence[Any]],
    cell_formats: Sequence[Format | None],
    kinds: Sequence[str],
    first_row: int = 1,
) -> None:
    """XlsxWriter's own way, one call per cell (the TOTAL line, and the reference for the fast path)."""
    plan = [
        (ws.write_string if kind in ("text", "label") else ws.write_number, cell_format)
        for kind, cell_format in zip(kinds, cell_formats, strict=True)
    ]
    for offset, values in enumerate(zip(*columns, strict=True)):
        for col, ((write, cell_format), value) in enumerate(zip(plan, values, strict=True)):
            if value is not None:
                write(first_row + offset, col, value, cell_format)


def _write_rows_as_xml(
    ws: Worksheet,
    columns: Sequence[Sequence[Any]],
    cell_formats: Sequence[Format | None],
    kinds: Sequence[str],
) -> None:
    """Rows 1.. of a constant_memory sheet written as XML straight into XlsxWriter's row file.

    Uses XlsxWriter internals (the row file, its dimension bookkeeping, format indices), so a test
    checks the result byte for byte against `_write_cells` on the locked XlsxWriter version.
    """
    ws._write_single_row(1)  # the header row goes out to the row file first
    write_rows(
        ws.row_data_fh,
        1,
        columns,
        ["text" if kind in ("text", "label") else "number" for kind in kinds],
        [None if f is None else f._get_xf_index() for f in cell_formats],
    )
    last = len(columns[0])
    ws._check_dimensions(last, len(columns) - 1)
    ws.previous_row = last


def _summary(book: xlsxwriter.Workbook, fmt: _Formats, data: ReportData, lang: str) -> None:
    """The Summary sheet: headline figures, allocation by grade and level, validation, provenance."""
    text = labels(lang)
    ws = book.add_worksheet("Summary")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 3, 14)
    h = data.headline
    run = data.run
    ws.write_string(0, 0, text["title"].format(year=data.year), fmt.title)
    ws.write_string(2, 0, text["summary_item"], fmt.header)
    ws.write_string(2, 1, text["summary_value"], fmt.header)
    lines: list[tuple[str, Any, str]] = [
        ("year", data.year, "int"),
        ("allocation_run", data.allocation_run_id, "int"),
        ("status", translate(STATUSES, lang, run.get("status")), "text"),
        ("registered", h.registered, "count"),
        ("submitted", h.submitted, "count"),
        ("accepted", h.accepted, "count"),
        ("quarantined", h.quarantined, "count"),
        ("reviews", h.reviews, "count"),
        ("scored", h.scored, "count"),
        ("funded", h.funded, "count"),
        ("budget", h.budget, "cny"),
        ("allocated", h.allocated, "cny"),
        ("unallocated", h.unallocated, "cny"),
    ]
    validation = data.validation
    state = (
        text["validation_not_run"]
        if validation is None
        else text["passed"]
        if validation.success
        else text["failed"]
    )
    lines.append(("validation_status", state, "text"))
    row = 3
    for key, value, kind in lines:
        ws.write_string(row, 0, text[key], fmt.label)
        if kind == "cny":
            ws.write_number(row, 1, int(value), fmt.strong_cny)
        elif kind == "count":
            ws.write_number(row, 1, int(value), fmt.integer)
        elif kind == "int":
            ws.write_number(row, 1, int(value))
        else:
            ws.write_string(row, 1, neutralise(str(value)))
        row += 1
    for label_key, source in (
        ("score_config_hash", data.score_run.get("config_hash")),
        ("score_input_hash", data.score_run.get("input_hash")),
        ("alloc_config_hash", run.get("config_hash")),
        ("alloc_input_hash", run.get("input_hash")),
    ):
        ws.write_string(row, 0, text[label_key], fmt.label)
        ws.write_string(row, 1, neutralise(str(source or "")), fmt.mono)
        row += 1
    row += 1
    allocations = data.allocations.assign(
        level=data.allocations["unit_id"].map(data.scores.set_index("unit_id")["level"])
    )
    for by, order, table, title in (
        ("grade", list(GRADE_ORDER), GRADES, "by_grade"),
        ("level", ["city", "county"], LEVELS, "by_level"),
    ):
        ws.write_string(row, 0, text[title], fmt.section)
        for col, key in enumerate(("units", "funded", "amount"), start=1):
            ws.write_string(row, col, text[key], fmt.section)
        row += 1
        grouped = allocations.groupby(by).agg(
            units=("unit_id", "size"),
            funded=("reason", lambda s: int((s == "funded").sum())),
            amount=("amount_cny", "sum"),
        )
        keys = [k for k in order if k in grouped.index] + sorted(k for k in grouped.index if k not in order)
        for key in keys:
            ws.write_string(row, 0, translate(table, lang, key))
            ws.write_number(row, 1, int(grouped.loc[key, "units"]), fmt.integer)
            ws.write_number(row, 2, int(grouped.loc[key, "funded"]), fmt.integer)
            ws.write_number(row, 3, int(grouped.loc[key, "amount"]), fmt.cny)
            row += 1
        row += 1
    if validation is not None and validation.lines:
        ws.write_string(row, 0, text["validation"], fmt.section)
        row += 1
        for line in validation.lines:
            ws.write_string(row, 0, neutralise(line))
            row += 1


def write_xlsx(
    path: Path,
    data: ReportData,
    lang: str = "en",
    *,
    max_rows: int = MAX_ROWS,
    created: dt.datetime = CREATED,
    cell_by_cell: bool = False,
) -> Path:
    """Write report.xlsx and return its path; `max_rows` is the data rows per sheet (tests shrink it).

    `cell_by_cell` writes the data rows through XlsxWriter's own cell calls instead of the fast XML
    path (`reports.sheet_xml`); the two give the same bytes, and tests check that they do.
    """
    check_lang(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties(
        {
            "title": labels(lang)["title"].format(year=data.year),
            "author": "unionflow",
            "comments": f"allocation run {data.allocation_run_id}",
            "created": created,
        }
    )
    fmt = _Formats(book)
    _summary(book, fmt, data, lang)
    _write_table(book, fmt, "Scores", SCORES_COLUMNS, data.scores, lang, max_rows, cell_by_cell=cell_by_cell)
    total = int(data.allocations["amount_cny"].sum())
    _write_table(
        book,
        fmt,
        "Allocations",
        ALLOCATIONS_COLUMNS,
        data.allocations,
        lang,
        max_rows,
        # The TOTAL line of allocations.csv: the word in the year column, the sum under amount_cny.
        last_row_kinds=("label", "text", "text", "text", "text", "cny", "text"),
        last_row=("TOTAL", None, None, None, None, total, None),
        cell_by_cell=cell_by_cell,
    )
    flags = data.flags.assign(
        summary=[
            evidence_summary(str(f), str(e), lang)
            for f, e in zip(data.flags["flag"], data.flags["evidence"], strict=True)
        ]
    )
    _write_table(book, fmt, "Flags", FLAGS_COLUMNS, flags, lang, max_rows, cell_by_cell=cell_by_cell)
    _write_table(
        book,
        fmt,
        "Quarantine",
        QUARANTINE_COLUMNS,
        data.quarantine,
        lang,
        max_rows,
        cell_by_cell=cell_by_cell,
    )
    book.close()
    return path
