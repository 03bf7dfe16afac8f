"""report.xlsx: the workbook for leadership and stewards (SPEC section 9).

Sheets: Summary, Scores, Allocations, Flags, Quarantine, then Trend (earlier years, when the
warehouse holds published ones) and the drafts Scenarios and Stability (decision support).
The Scores and Allocations sheets hold
exactly what scores.csv and allocations.csv hold, cell for cell (numbers stored as numbers: scores
rounded to 4 decimals, amounts as integers, the TOTAL line last), so a figure never differs between
the two in English. With `lang="zh"` the headers and the coded values (grade, level, reason, flags,
record kind, rule) are shown in Chinese, since the workbook is for people; the CSV files keep the
codes. Every sheet prints landscape, one page wide, with its header row repeated, and names the
units beside their ids.

Safety: every text cell is neutralised (`reports.cells.neutralise`) and written with `write_string`,
and the workbook never turns strings into formulas, URLs or numbers. Reproducibility: a fixed
`created` property and XlsxWriter's fixed zip timestamps make the same data give the same bytes.
Size: constant_memory mode streams rows to disk, and a table longer than a sheet (1,048,575 data
rows) continues on "Scores (2)", "Scores (3)", …
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from unionflow.reports.catalogue import Catalogue, catalogue
from unionflow.reports.cells import cell_floats, cell_integers, cell_texts
from unionflow.reports.data import ReportData
from unionflow.reports.decision import stability_sheet
from unionflow.reports.evidence import evidence_sentence
from unionflow.reports.sheet_columns import (
    ALLOCATIONS_COLUMNS,
    FLAGS_COLUMNS,
    FLAGS_COLUMNS_ZH,
    QUARANTINE_COLUMNS,
    QUARANTINE_COLUMNS_ZH,
    SCENARIOS_COLUMNS,
    SCORES_COLUMNS,
    STABILITY_COLUMNS,
    TREND_COLUMNS,
    Column,
)
from unionflow.reports.sheet_xml import write_rows
from unionflow.reports.sheets.summary import write_summary
from unionflow.reports.trend import trend_table

#: Data rows per sheet: Excel's 1,048,576 rows less the header row.
MAX_ROWS = 1_048_575
#: The workbook's `created` property: fixed, so two renders of the same data are byte-identical.
CREATED = dt.datetime(2000, 1, 1, 0, 0, 0)

SCORE_FORMAT = "0.0000"
CNY_FORMAT = "¥#,##0"


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


def _translated(values: pd.Series, vocabulary: str, cat: Catalogue) -> pd.Series:
    """A coded column in the reader's words (several codes joined with ';' each translated)."""
    if cat.lang == "en":
        return values
    lookup = {v: cat.codes(vocabulary, v) for v in pd.unique(values.dropna())}
    return values.map(lookup)


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
    cat: Catalogue,
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
    cells = [
        _prepared(_translated(frame[c.name], c.vocabulary, cat) if c.vocabulary else frame[c.name], c.kind)
        for c in columns
    ]
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
            ws.write_string(0, i, cat.header(column.name), fmt.header)
        ws.freeze_panes(1, 0)
        _print_setup(ws)
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


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, one page wide, the header row repeated on every printed page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _flags_table(data: ReportData, cat: Catalogue) -> pd.DataFrame:
    names = data.names
    flags = data.flags
    return flags.assign(
        reviewer_name=flags["reviewer_unit_id"].map(names),
        reviewee_name=flags["reviewee_unit_id"].map(names),
        summary=[
            evidence_sentence(str(f), str(e), cat)
            for f, e in zip(flags["flag"], flags["evidence"], strict=True)
        ],
    )


def _quarantine_table(data: ReportData, cat: Catalogue) -> pd.DataFrame:
    quarantine = data.quarantine.assign(name=data.quarantine["unit_id"].map(data.names))
    if cat.lang == "en":
        return quarantine
    return quarantine.assign(
        detail=quarantine["message"],
        message=quarantine["rule"].map({r: cat.codes("rule_help", r) for r in pd.unique(quarantine["rule"])}),
    )


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
    cat = catalogue(lang)
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
            "title": cat.text("title", year=data.year),
            "author": "unionflow",
            "comments": f"allocation run {data.allocation_run_id}",
            "created": created,
        }
    )
    fmt = _Formats(book)
    write_summary(book, fmt, data, cat)
    _write_table(book, fmt, "Scores", SCORES_COLUMNS, data.scores, cat, max_rows, cell_by_cell=cell_by_cell)
    total = int(data.allocations["amount_cny"].sum())
    # The CSV's word in English (the sheet equals allocations.csv); in Chinese the reader's word.
    total_word = "TOTAL" if lang == "en" else cat.text("notice_total_row")
    _write_table(
        book,
        fmt,
        "Allocations",
        ALLOCATIONS_COLUMNS,
        data.allocations,
        cat,
        max_rows,
        # The TOTAL line of allocations.csv: the word in the year column, the sum under amount_cny.
        last_row_kinds=("label", "text", "text", "text", "text", "cny", "text"),
        last_row=(total_word, None, None, None, None, total, None),
        cell_by_cell=cell_by_cell,
    )
    _write_table(
        book,
        fmt,
        "Flags",
        FLAGS_COLUMNS if lang == "en" else FLAGS_COLUMNS_ZH,
        _flags_table(data, cat),
        cat,
        max_rows,
        cell_by_cell=cell_by_cell,
    )
    _write_table(
        book,
        fmt,
        "Quarantine",
        QUARANTINE_COLUMNS if lang == "en" else QUARANTINE_COLUMNS_ZH,
        _quarantine_table(data, cat),
        cat,
        max_rows,
        cell_by_cell=cell_by_cell,
    )
    if data.history is not None and not data.history.empty:
        _write_table(
            book, fmt, "Trend", TREND_COLUMNS, trend_table(data), cat, max_rows, cell_by_cell=cell_by_cell
        )
    if data.scenarios is not None and not data.scenarios.empty:
        # A scenario that funds nobody has no median (None): all None is an object column that
        # cannot be rounded, so it is made numeric first (NaN is written as an empty cell).
        median = pd.to_numeric(data.scenarios["median_amount"], errors="coerce").astype("float64")
        scenarios = data.scenarios.assign(median_amount=median.round())
        _write_table(
            book, fmt, "Scenarios", SCENARIOS_COLUMNS, scenarios, cat, max_rows, cell_by_cell=cell_by_cell
        )
    if data.stability is not None:
        _write_table(
            book,
            fmt,
            "Stability",
            STABILITY_COLUMNS,
            stability_sheet(data, cat),
            cat,
            max_rows,
            cell_by_cell=cell_by_cell,
        )
    book.close()
    return path
