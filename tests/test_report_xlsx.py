"""report.xlsx: read back with openpyxl, equal to the CSV files cell for cell, safe against formulas."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tasks.reports import load_report_data, write_reports_task
from tests.conftest import YEAR
from tests.test_report_html import FORMULA_NAME, private_copy, published_year
from unionflow.reports.catalogue import catalogue
from unionflow.reports.data import ReportData
from unionflow.reports.xlsx import ALLOCATIONS_COLUMNS, SCORES_COLUMNS, write_xlsx
from warehouse import allocation_runs
from warehouse.connection import open_warehouse

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    # Calling the task outside a flow makes Prefect say its logs cannot reach the API: expected here.
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]

UNIT = "BT-C-0002"  # named FORMULA_NAME in the shared published year


@dataclass(frozen=True)
class Published:
    db: Path
    out: Path
    data: ReportData


@pytest.fixture(scope="module")
def published(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A published synthetic year with a unit named like a formula, and its reports."""
    shared = published_year(synthetic_year, tmp_path_factory)
    db, out = private_copy(shared, tmp_path_factory.mktemp("report-xlsx"))
    with open_warehouse(db) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        run_id = run.allocation_run_id
        write_reports_task(conn, YEAR, run_id, out, "en")
        data = load_report_data(conn, YEAR, run_id)
    return Published(db, out, data)


def csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def cell_text(value: Any, kind: str) -> str:
    """A read-back cell as the CSV writes it: scores with 4 decimals, integers plain, empty as ''."""
    if value is None:
        return ""
    if kind == "score" and isinstance(value, int | float):
        return f"{value:.4f}"
    if kind in ("int", "cny") and isinstance(value, int | float):
        assert float(value).is_integer(), value
        return str(int(value))
    return str(value)


def sheet_rows(book: Any, names: list[str], kinds: list[str]) -> list[list[str]]:
    """Header of the first sheet, then the data rows of every sheet in order, as text."""
    rows: list[list[str]] = []
    for number, name in enumerate(names):
        values = list(book[name].iter_rows(values_only=True))
        header_row, data = values[0], values[1:]
        if number == 0:
            rows.append([str(v) for v in header_row])
        rows.extend([cell_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in data)
    return rows


SCORE_KINDS = [c.kind for c in SCORES_COLUMNS]
ALLOCATION_KINDS = [c.kind for c in ALLOCATIONS_COLUMNS]


def test_scores_and_allocations_sheets_equal_the_csv_files_cell_for_cell(published: Published) -> None:
    book = openpyxl.load_workbook(published.out / "report.xlsx")
    assert book.sheetnames == [
        "Summary",
        "Scores",
        "Allocations",
        "Flags",
        "Quarantine",
        "Scenarios",
        "Stability",
    ]
    assert sheet_rows(book, ["Scores"], SCORE_KINDS) == csv_rows(published.out / "scores.csv")
    allocations = csv_rows(published.out / "allocations.csv")
    assert allocations[-1][0] == "TOTAL"
    # The TOTAL line's first cell is the word, not a year: compare it as text.
    kinds = ["label", *ALLOCATION_KINDS[1:]]
    assert sheet_rows(book, ["Allocations"], kinds) == allocations


def test_a_unit_named_like_a_formula_is_text_in_csv_and_xlsx(published: Published) -> None:
    expected = "'" + FORMULA_NAME
    for name in ("scores.csv", "allocations.csv"):
        rows = [r for r in csv_rows(published.out / name) if r[1] == UNIT]
        assert [r[2] for r in rows] == [expected], name
    book = openpyxl.load_workbook(published.out / "report.xlsx")
    for sheet in ("Scores", "Allocations"):
        cells = [row[2] for row in book[sheet].iter_rows(min_row=2) if row[1].value == UNIT]
        assert len(cells) == 1
        assert cells[0].value == expected
        assert cells[0].data_type == "s"
    assert all(cell.data_type != "f" for ws in book for row in ws.iter_rows() for cell in row)
    with zipfile.ZipFile(published.out / "report.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for member in sheets:
            xml = archive.read(member).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, member
            assert "<hyperlink" not in xml, member


def test_formats_frozen_headers_and_widths(published: Published) -> None:
    book = openpyxl.load_workbook(published.out / "report.xlsx")
    for name in ("Scores", "Allocations", "Flags", "Quarantine"):
        assert book[name].freeze_panes == "A2", name
    scores, allocations = book["Scores"], book["Allocations"]
    assert scores["H2"].number_format == "0.0000"  # total
    assert allocations["F2"].number_format == "¥#,##0"  # amount_cny
    assert isinstance(allocations["F2"].value, int)
    assert scores.column_dimensions["C"].width > 30  # unit names are readable
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row[0]]
    values = {row[0]: row[1] for row in summary}
    assert values["Budget"] == 1_000_000
    assert values["Allocated"] == int(csv_rows(published.out / "allocations.csv")[-1][5])


def test_tables_longer_than_a_sheet_continue_on_numbered_sheets(published: Published, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "split.xlsx", published.data, max_rows=50)
    book = openpyxl.load_workbook(path)
    scores = [n for n in book.sheetnames if n.startswith("Scores")]
    allocations = [n for n in book.sheetnames if n.startswith("Allocations")]
    n_scores = len(published.data.scores)
    assert scores == ["Scores"] + [f"Scores ({i})" for i in range(2, -(-n_scores // 50) + 1)]
    assert len(allocations) == -(-(n_scores + 1) // 50)  # + the TOTAL line
    for name in scores + allocations:
        assert book[name].max_row <= 51 and book[name].freeze_panes == "A2", name
        assert book[name]["A1"].value == "year", name
    assert sheet_rows(book, scores, SCORE_KINDS) == csv_rows(published.out / "scores.csv")
    kinds = ["label", *ALLOCATION_KINDS[1:]]
    assert sheet_rows(book, allocations, kinds) == csv_rows(published.out / "allocations.csv")


def test_chinese_headers_and_values_with_lang_zh(published: Published, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_xlsx(tmp_path / "zh.xlsx", published.data, "zh"))
    zh = catalogue("zh")
    first = next(book["Scores"].iter_rows(max_row=1, values_only=True))
    assert list(first) == [zh.header(c.name) for c in SCORES_COLUMNS]
    assert first[:3] == ("考核年度", "试点单位编号", "单位名称")
    assert next(book["Allocations"].iter_rows(max_row=1, values_only=True))[5] == "奖补金额（元）"
    summary = [row[0] for row in book["Summary"].iter_rows(values_only=True) if row[0]]
    assert "在册试点单位" in summary and "奖补资金" in summary
    # Coded cells read in Chinese: grades, levels, reasons (the CSV files keep the codes).
    scores = list(book["Scores"].iter_rows(min_row=2, values_only=True))
    assert {row[10] for row in scores} <= set(zh.sections["grade"].values())
    assert {row[3] for row in scores} <= set(zh.sections["level"].values())
    reasons = {row[6] for row in book["Allocations"].iter_rows(min_row=2, values_only=True)}
    assert reasons - {None} <= set(zh.sections["reason"].values())
    assert list(book["Allocations"].iter_rows(values_only=True))[-1][0] == "合计"


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(published: Published) -> None:
    with zipfile.ZipFile(published.out / "report.xlsx") as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        for number in range(1, 6):
            sheet = archive.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")
            assert 'orientation="landscape"' in sheet, number
            assert 'fitToHeight="0"' in sheet and '<pageSetUpPr fitToPage="1"/>' in sheet, number
    # Print titles: the header row of each data sheet repeats on every page.
    for name in ("Scores", "Allocations", "Flags", "Quarantine"):
        assert f"'{name}'!$1:$1" in workbook or f"{name}!$1:$1" in workbook, name


def test_names_stand_beside_ids_on_every_sheet(published: Published) -> None:
    book = openpyxl.load_workbook(published.out / "report.xlsx")
    names = dict(zip(published.data.scores["unit_id"], published.data.scores["name"], strict=True))
    flags = list(book["Flags"].iter_rows(values_only=True))
    assert flags[0][:5] == ("flag", "reviewer_unit_id", "reviewer_name", "reviewee_unit_id", "reviewee_name")
    for row in flags[1:]:
        for unit_id, name in ((row[1], row[2]), (row[3], row[4])):
            if unit_id:
                assert name.lstrip("'") == names[unit_id].lstrip("'") or name == "'" + names[unit_id]
        assert "{" not in row[5] and "=" not in row[5]  # the summary is a sentence, not a repr
    quarantine = list(book["Quarantine"].iter_rows(values_only=True))
    assert quarantine[0][2:4] == ("unit_id", "name")
    assert any(row[3] for row in quarantine[1:] if row[2] in names)


def test_two_renders_are_byte_identical(published: Published, tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "a.xlsx", published.data)
    second = write_xlsx(tmp_path / "b.xlsx", published.data)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == (published.out / "report.xlsx").read_bytes()


def test_a_large_years_workbook_written_in_a_child_process_is_byte_identical(
    published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tasks.reports

    # Every year counts as large here, so the workbook is written by the child process.
    monkeypatch.setattr(tasks.reports, "WORKBOOK_PROCESS_UNITS", 0)
    with open_warehouse(published.db) as conn:
        files = tasks.reports.write_outputs_task(
            conn,
            YEAR,
            published.data.allocation_run_id,
            published.data.run.score_run_id,
            tmp_path,
            "en",
        )
    assert [path.name for path in files] == [
        "scores.csv",
        "allocations.csv",
        "quarantine.csv",
        "report.html",
        "report.xlsx",
    ]
    assert (tmp_path / "report.xlsx").read_bytes() == (published.out / "report.xlsx").read_bytes()


def test_the_fast_xml_rows_are_byte_identical_to_xlsxwriters_own_cells(
    published: Published, tmp_path: Path
) -> None:
    fast = write_xlsx(tmp_path / "fast.xlsx", published.data)
    reference = write_xlsx(tmp_path / "cells.xlsx", published.data, cell_by_cell=True)
    assert fast.read_bytes() == reference.read_bytes()


AWKWARD_NAMES = [
    "Tom & Jerry <union>",
    " leading space",
    "trailing tab\t",
    "line\nbreak",
    "bell\x07 and _x0041_ literal",
    "ideographic space\u3000",
    "non-character \ufffe",
    '"quoted"',
    "包头市第三医院",
]


def test_awkward_names_are_escaped_exactly_as_xlsxwriter_escapes_them(
    published: Published, tmp_path: Path
) -> None:
    scores = published.data.scores.copy()
    scores.loc[scores.index[: len(AWKWARD_NAMES)], "name"] = AWKWARD_NAMES
    data = replace(published.data, scores=scores)
    fast = write_xlsx(tmp_path / "fast.xlsx", data)
    reference = write_xlsx(tmp_path / "cells.xlsx", data, cell_by_cell=True)
    assert fast.read_bytes() == reference.read_bytes()
    names = [row[2] for row in openpyxl.load_workbook(fast)["Scores"].iter_rows(min_row=2, values_only=True)]
    assert names[1] == " leading space"
    assert names[0] == "Tom & Jerry <union>"


def test_a_name_shaped_like_rich_text_is_escaped_not_injected(published: Published, tmp_path: Path) -> None:
    scores = published.data.scores.copy()
    scores.loc[scores.index[0], "name"] = "<r><t>injected</t></r>"
    path = write_xlsx(tmp_path / "rich.xlsx", replace(published.data, scores=scores))
    sheet = openpyxl.load_workbook(path)["Scores"]
    assert sheet.cell(row=2, column=3).value == "<r><t>injected</t></r>"
