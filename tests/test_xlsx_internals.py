"""The fast XLSX path (unionflow/reports/xlsx.py `_write_rows_as_xml`) uses XlsxWriter internals, so
XlsxWriter is pinned exactly and these tests fail loudly, naming what changed, before a new
version can write a corrupt workbook. (test_report_xlsx compares both paths byte for byte.)"""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[1]


def test_xlsxwriter_is_pinned_to_one_version_and_that_version_is_installed() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if d.lower().startswith("xlsxwriter")]
    assert len(pins) == 1 and re.fullmatch(r"xlsxwriter==[\d.]+", pins[0].split(";")[0].strip()), pins
    assert xlsxwriter.__version__ == pins[0].split("==")[1].strip(), (
        f"XlsxWriter {xlsxwriter.__version__} is installed but {pins[0]} is pinned"
    )


def test_the_worksheet_internals_the_fast_path_uses_are_still_there(tmp_path: Path) -> None:
    book = Workbook(str(tmp_path / "probe.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    header = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["a", "b"], header)
    missing = [
        name
        for name in ("_write_single_row", "_check_dimensions")
        if not callable(getattr(Worksheet, name, None))
    ]
    assert missing == [], f"XlsxWriter {xlsxwriter.__version__} no longer has Worksheet.{missing}"
    assert list(inspect.signature(Worksheet._write_single_row).parameters) == ["self", "current_row_num"]
    assert list(inspect.signature(Worksheet._check_dimensions).parameters)[:3] == ["self", "row", "col"]
    assert callable(getattr(Format, "_get_xf_index", None)), "Format._get_xf_index is gone"
    assert hasattr(sheet, "row_data_fh"), "the constant_memory row file (row_data_fh) is gone"
    assert hasattr(sheet, "previous_row"), "Worksheet.previous_row is gone"
    book.close()
