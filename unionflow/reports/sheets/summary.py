"""report.xlsx, sheet Summary: the headline figures, the validation outcome, provenance and the
allocation by grade and by level, all in the reader's language."""

from __future__ import annotations

from typing import Any, Protocol

import xlsxwriter

from unionflow.reports.catalogue import GRADE_ORDER, LEVEL_ORDER, Catalogue
from unionflow.reports.cells import neutralise
from unionflow.reports.data import ReportData, currency_line, headline_figures
from unionflow.reports.findings import finding_line, verdict


class Formats(Protocol):
    """The cell formats the sheet uses (made once per workbook in `reports.xlsx`)."""

    header: Any
    title: Any
    label: Any
    strong_cny: Any
    cny: Any
    integer: Any
    mono: Any
    section: Any


def write_summary(book: xlsxwriter.Workbook, fmt: Formats, data: ReportData, cat: Catalogue) -> None:
    """Add the Summary sheet."""
    text = cat.labels
    ws = book.add_worksheet("Summary")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 3, 14)
    run = data.run
    ws.write_string(0, 0, text["title"].format(year=data.year), fmt.title)
    ws.write_string(2, 0, text["summary_item"], fmt.header)
    ws.write_string(2, 1, text["summary_value"], fmt.header)
    row = 3
    for key, value in (("year", data.year), ("allocation_run", data.allocation_run_id)):
        ws.write_string(row, 0, text[key], fmt.label)
        ws.write_number(row, 1, int(value))
        row += 1
    for key, words in (
        ("status", cat.code("status", run.status)),
        ("created_at", cat.time(run.created_at)),
    ):
        ws.write_string(row, 0, text[key], fmt.label)
        ws.write_string(row, 1, neutralise(words))
        row += 1
    if current := currency_line(data, cat):
        ws.write_string(row, 0, text["results_current"], fmt.label)
        ws.write_string(row, 1, neutralise(current))
        row += 1
    # The same figures, in the same order, as the page's tiles and the console (data.headline_figures).
    for figure in headline_figures(data.headline, data.year, cat):
        ws.write_string(row, 0, text[figure.key], fmt.label)
        ws.write_number(row, 1, figure.value, fmt.strong_cny if figure.money else fmt.integer)
        ws.write_string(row, 2, neutralise(figure.note))
        row += 1
    ws.write_string(row, 0, text["validation_status"], fmt.label)
    ws.write_string(row, 1, neutralise(verdict(data.validation, cat)))
    row += 1
    for label_key, source in (
        ("score_config_hash", data.score_run.config_hash),
        ("score_input_hash", data.score_run.input_hash),
        ("alloc_config_hash", run.config_hash),
        ("alloc_input_hash", run.input_hash),
    ):
        ws.write_string(row, 0, text[label_key], fmt.label)
        ws.write_string(row, 1, neutralise(str(source or "")), fmt.mono)
        row += 1
    row += 1
    allocations = data.allocations.assign(
        level=data.allocations["unit_id"].map(data.scores.set_index("unit_id")["level"])
    )
    for by, order, title in (("grade", GRADE_ORDER, "by_grade"), ("level", LEVEL_ORDER, "by_level")):
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
            ws.write_string(row, 0, cat.code(by, key))
            ws.write_number(row, 1, int(grouped.loc[key, "units"]), fmt.integer)
            ws.write_number(row, 2, int(grouped.loc[key, "funded"]), fmt.integer)
            ws.write_number(row, 3, int(grouped.loc[key, "amount"]), fmt.cny)
            row += 1
        row += 1
    validation = data.validation
    if validation is not None:
        for title, findings in (
            ("validation_blocking", validation.blocking),
            ("validation_warnings", validation.warnings),
        ):
            if not findings:
                continue
            ws.write_string(row, 0, text[title], fmt.section)
            row += 1
            for finding in findings:
                ws.write_string(row, 0, neutralise(finding_line(finding, cat)))
                row += 1
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
