"""Files are received before they are parsed, and every region of them ends as a record or a
`malformed` row (issue 14): strict CSV and XLSX reading through a real collection."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest
import xlsxwriter

from expectations.fields import FIELDS
from tests.conftest import submission_record
from tests.folders import (
    SUBMISSION_HEADER,
    accepted_submissions,
    collect_folder,
    csv_text,
    kept_contents,
    quarantine,
    received_files,
    submission_row,
    warehouse_state,
    write_registry,
)

ZH_HEADER = {f.name: f.zh for f in FIELDS["submission"]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    write_registry(source)
    (source / "submissions").mkdir()
    return source


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / "submissions" / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    for title, rows in sheets.items():
        sheet = workbook.add_worksheet(title)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
    workbook.close()


def test_a_stray_quote_quarantines_its_line_and_the_rows_after_it_are_read(
    folder: Path, tmp_path: Path
) -> None:
    rows = [submission_row(n) for n in range(1, 5)]
    text = csv_text(SUBMISSION_HEADER, rows)
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace("全年开展", '"全年开展', 1)  # a stray opening quote in row 3
    _write(folder, "a.csv", "".join(lines))
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001", "S2025-000003", "S2025-000004"]
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("submissions/a.csv#line=3", "malformed")
    assert "stray" in row["message"] and "S2025-000002" in orjson.loads(row["payload"])["_text"]


def test_a_quoted_cell_with_line_breaks_is_one_record(folder: Path, tmp_path: Path) -> None:
    _write(
        folder, "a.csv", csv_text(SUBMISSION_HEADER, [submission_row(1, summary="第一，培训\n第二，竞赛")])
    )
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001"]


def test_a_quote_running_to_the_end_of_the_file_keeps_every_row(folder: Path, tmp_path: Path) -> None:
    text = csv_text(SUBMISSION_HEADER, [submission_row(n) for n in range(1, 4)])
    _write(folder, "a.csv", text.replace("S2025-000001", '"S2025-000001', 1))
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000002", "S2025-000003"]
    assert [q["source_ref"] for q in quarantine(tmp_path / "w.duckdb")] == ["submissions/a.csv#line=2"]


def test_a_repeated_header_with_different_values_is_malformed_naming_the_columns(
    folder: Path, tmp_path: Path
) -> None:
    header = [*SUBMISSION_HEADER, "employees"]
    rows = [[*submission_row(1), 1200], [*submission_row(2), 999]]
    _write(folder, "a.csv", csv_text(header, rows))
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001"]
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("submissions/a.csv#row=3", "malformed")
    assert "'employees' more than once (columns E and W)" in row["message"]
    assert "'1200' and '999'" in row["message"]


def test_an_english_and_a_chinese_header_with_different_values_are_malformed(
    folder: Path, tmp_path: Path
) -> None:
    header = [*SUBMISSION_HEADER, ZH_HEADER["employees"]]
    _write(folder, "a.csv", csv_text(header, [[*submission_row(1), 1200], [*submission_row(2), 1300]]))
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001"]
    [row] = quarantine(tmp_path / "w.duckdb")
    assert row["rule"] == "malformed"
    assert "employees is given twice with different values ('1200'" in row["message"]
    assert "'1300' under its Chinese header" in row["message"]


def test_a_gbk_row_in_a_utf8_file_is_quarantined_with_its_bytes_shown(folder: Path, tmp_path: Path) -> None:
    header = csv_text(SUBMISSION_HEADER, []).encode("utf-8")
    good = csv_text(SUBMISSION_HEADER, [submission_row(1), submission_row(3)]).encode("utf-8")
    good_rows = good[len(header) :].splitlines(keepends=True)
    gbk_row = csv_text(SUBMISSION_HEADER, [submission_row(2)]).encode("gbk")[len(header) :]
    _write(folder, "a.csv", header + good_rows[0] + gbk_row + good_rows[1])
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001", "S2025-000003"]
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("submissions/a.csv#line=3", "malformed")
    assert "not valid utf-8" in row["message"]
    shown = orjson.loads(row["payload"])["_text"]
    assert "\\xc8\\xab\\xc4\\xea" in shown  # 全年 in GBK, as bytes
    assert "\ufffd" not in shown


def test_a_gbk_file_with_a_utf8_row_quarantines_that_row(folder: Path, tmp_path: Path) -> None:
    header = csv_text(SUBMISSION_HEADER, []).encode("gbk")
    gbk = csv_text(SUBMISSION_HEADER, [submission_row(1), submission_row(3)]).encode("gbk")[len(header) :]
    utf8 = csv_text(SUBMISSION_HEADER, [submission_row(2)]).encode("utf-8")[len(header) :]
    _write(folder, "a.csv", header + gbk + utf8)
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001", "S2025-000003"]
    assert [q["source_ref"] for q in quarantine(tmp_path / "w.duckdb")] == ["submissions/a.csv#line=4"]


def test_a_cell_larger_than_the_csv_module_cap_is_too_long_not_a_crash(folder: Path, tmp_path: Path) -> None:
    _write(folder, "a.csv", csv_text(SUBMISSION_HEADER, [submission_row(1, summary="很" * 200_000)]))
    collect_folder(folder, tmp_path / "w.duckdb")
    [row] = quarantine(tmp_path / "w.duckdb")
    assert row["rule"] == "too_long"
    assert "summary has 200000 characters" in row["message"]


def test_a_workbook_is_read_from_the_sheet_whose_header_names_the_fields(
    folder: Path, tmp_path: Path
) -> None:
    _workbook(
        folder / "submissions" / "upload.xlsx",
        {
            "封面": [["考核年度", 2025], ["填报单位", "包头市总工会"]],
            "数据": [[ZH_HEADER[name] for name in SUBMISSION_HEADER], submission_row(1), submission_row(2)],
        },
    )
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001", "S2025-000002"]
    [receipt] = [r for r in received_files(tmp_path / "w.duckdb") if r[0].endswith(".xlsx")]
    assert receipt[3] == "xlsx (sheet '数据')"


def test_rows_of_another_sheet_than_the_first_name_it_in_their_source_ref(
    folder: Path, tmp_path: Path
) -> None:
    _workbook(
        folder / "submissions" / "upload.xlsx",
        {"Cover": [["Annual upload"]], "Data": [SUBMISSION_HEADER, submission_row(1, employees="12人")]},
    )
    collect_folder(folder, tmp_path / "w.duckdb")
    assert [q["source_ref"] for q in quarantine(tmp_path / "w.duckdb")] == [
        "submissions/upload.xlsx#sheet=Data&row=2"
    ]


def test_a_workbook_with_no_sheet_naming_the_fields_is_one_malformed_row(
    folder: Path, tmp_path: Path
) -> None:
    _workbook(folder / "submissions" / "upload.xlsx", {"Cover": [["Annual upload"], ["see attachment"]]})
    _, files = collect_folder(folder, tmp_path / "w.duckdb")
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("submissions/upload.xlsx", "malformed")
    assert "no sheet has a header row naming the record's fields (sheets: 'Cover')" in row["message"]
    assert files is not None and files.line() == "files: received 2 = parsed 1 + unreadable 1"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"PK\x03\x04 this is not really a zip", "not a readable XLSX workbook (BadZipFile"),
        (b"unit_id,name\nBT-C-0001,x\n", "not a readable XLSX workbook"),
    ],
    ids=["zero-byte", "damaged-zip", "renamed-csv"],
)
def test_an_unreadable_workbook_is_a_malformed_row_and_the_year_goes_on(
    folder: Path, tmp_path: Path, data: bytes, reason: str
) -> None:
    _write(folder, "broken.xlsx", data)
    _write(folder, "good.csv", csv_text(SUBMISSION_HEADER, [submission_row(1)]))
    results, files = collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001"]
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("submissions/broken.xlsx", "malformed")
    assert reason in row["message"]
    assert files is not None and files.line() == "files: received 3 = parsed 2 + unreadable 1"
    assert all(r.balanced for r in results)


def test_two_identical_damaged_files_are_two_quarantine_rows(folder: Path, tmp_path: Path) -> None:
    _write(folder, "a.xlsx", b"not a workbook")
    _write(folder, "b.xlsx", b"not a workbook")
    collect_folder(folder, tmp_path / "w.duckdb")
    assert [q["source_ref"] for q in quarantine(tmp_path / "w.duckdb")] == [
        "submissions/a.xlsx",
        "submissions/b.xlsx",
    ]


def test_every_file_is_received_with_its_size_and_sha256(folder: Path, tmp_path: Path) -> None:
    path = _write(folder, "a.csv", csv_text(SUBMISSION_HEADER, [submission_row(1), submission_row(2)]))
    collect_folder(folder, tmp_path / "w.duckdb")
    data = path.read_bytes()
    assert received_files(tmp_path / "w.duckdb") == [
        ("submissions/a.csv", len(data), hashlib.sha256(data).hexdigest(), "csv", "utf-8", "parsed", 2),
        (
            "units.csv",
            (folder / "units.csv").stat().st_size,
            hashlib.sha256((folder / "units.csv").read_bytes()).hexdigest(),
            "csv",
            "utf-8",
            "parsed",
            4,
        ),
    ]


def test_the_bytes_of_every_received_file_are_kept_under_their_sha256(folder: Path, tmp_path: Path) -> None:
    _write(folder, "a.csv", csv_text(SUBMISSION_HEADER, [submission_row(1)]))
    _write(folder, "broken.xlsx", b"PK\x03\x04 not a workbook")
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    db = tmp_path / "w.duckdb"
    collect_folder(folder, db)
    for path in folder.rglob("*"):  # the source folder is gone: the audit still has every byte
        if path.is_file():
            path.unlink()
    kept = kept_contents(db)
    assert sorted(kept) == sorted(hashlib.sha256(data).hexdigest() for data in files.values())
    assert all(kept[hashlib.sha256(data).hexdigest()] == data for data in files.values())


def test_a_file_received_twice_is_kept_once(folder: Path, tmp_path: Path) -> None:
    text = csv_text(SUBMISSION_HEADER, [submission_row(1)])
    _write(folder, "a.csv", text)
    _write(folder, "copy-of-a.csv", text)
    db = tmp_path / "w.duckdb"
    collect_folder(folder, db)
    collect_folder(folder, db)
    assert sorted(kept_contents(db)) == sorted(
        {
            hashlib.sha256(text.encode()).hexdigest(),
            hashlib.sha256((folder / "units.csv").read_bytes()).hexdigest(),
        }
    )


def test_collecting_a_hostile_folder_again_changes_nothing(folder: Path, tmp_path: Path) -> None:
    _write(folder, "broken.xlsx", b"")
    text = csv_text(SUBMISSION_HEADER, [submission_row(n) for n in range(1, 4)])
    _write(folder, "a.csv", text.replace("S2025-000002", '"S2025-000002', 1))
    db = tmp_path / "w.duckdb"
    first, first_files = collect_folder(folder, db)
    before = warehouse_state(db)
    again, again_files = collect_folder(folder, db)
    assert warehouse_state(db) == before
    assert [r.received for r in again] == [r.received for r in first]
    assert all(r.replayed == r.received for r in again)
    assert again_files == first_files


def test_a_name_with_a_nul_byte_in_a_csv_file_is_quarantined_as_unsafe_text(
    folder: Path, tmp_path: Path
) -> None:
    units = (folder / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text(units.replace("BT-C-0002,", "BT-C-0002,\x00", 1), encoding="utf-8")
    collect_folder(folder, tmp_path / "w.duckdb")
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("units.csv#row=3", "unsafe_text")
    assert "U+0000" in row["message"] and "\x00" not in row["message"]


def test_a_json_lines_file_with_a_gbk_line_quarantines_that_line(folder: Path, tmp_path: Path) -> None:
    first = orjson.dumps(submission_record(submission_id="S2025-000001"))
    gbk = '{"submission_id": "S2025-000002", "summary": "全年"}'.encode("gbk")
    third = orjson.dumps(submission_record(submission_id="S2025-000003", unit_id="BT-C-0002"))
    _write(folder, "a.jsonl", b"\n".join([first, gbk, third]) + b"\n")
    collect_folder(folder, tmp_path / "w.duckdb")
    assert accepted_submissions(tmp_path / "w.duckdb") == ["S2025-000001", "S2025-000003"]
    [row] = quarantine(tmp_path / "w.duckdb")
    assert (row["source_ref"], row["rule"]) == ("submissions/a.jsonl#line=2", "malformed")
    assert "\\xc8\\xab" in orjson.loads(row["payload"])["_text"]
