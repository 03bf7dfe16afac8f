"""`unionflow units import`: every encoding and XLSX; a file with bad rows is refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.registry import import_units
from tests.conftest import unit_record
from warehouse.connection import open_warehouse
from warehouse.sql import run

HEADER = list(unit_record())


def registry_rows(*records: dict[str, str]) -> str:
    lines = [",".join(HEADER)] + [",".join(str(r[h]) for h in HEADER) for r in records]
    return "\n".join(lines) + "\n"


GOOD = [unit_record("BT-C-0001"), unit_record("BT-C-0002"), unit_record("BT-X-0003")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_registry_csv_is_imported_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(registry_rows(*GOOD).encode(encoding))
    outcome = import_units(path, tmp_path / "w.duckdb")
    assert outcome.rejected == []
    assert outcome.reconciliation is not None and outcome.reconciliation.accepted == 3
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as conn:
        assert run(conn, "select name from units order by unit_id")[0] == (GOOD[0]["name"],)


def test_a_registry_xlsx_is_imported(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "units.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for number, record in enumerate(GOOD, start=1):
        sheet.write_row(number, 0, [int(v) if v.isdigit() else v for v in record.values()])
    workbook.close()
    outcome = import_units(path, tmp_path / "w.duckdb")
    assert outcome.rejected == []
    assert outcome.reconciliation is not None and outcome.reconciliation.accepted == 3


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        registry_rows(GOOD[0], unit_record("BT-C-0005", level="province"), GOOD[1], unit_record("x y")),
        encoding="utf-8",
    )
    outcome = import_units(path, tmp_path / "w.duckdb")
    assert [(ref, rule) for ref, rule, _ in outcome.rejected] == [
        ("units.csv#row=3", "out_of_range"),
        ("units.csv#row=5", "out_of_range"),
    ]
    assert not (tmp_path / "w.duckdb").exists() or _units(tmp_path / "w.duckdb") == 0


def test_importing_the_same_registry_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(registry_rows(*GOOD), encoding="utf-8")
    import_units(path, tmp_path / "w.duckdb")
    again = import_units(path, tmp_path / "w.duckdb")
    assert again.reconciliation is not None and again.reconciliation.replayed == 3
    assert _units(tmp_path / "w.duckdb") == 3


def _units(db: Path) -> int:
    with open_warehouse(db, read_only=True) as conn:
        return int(run(conn, "select count(*) from units")[0][0])
