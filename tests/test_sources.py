"""Reading a source folder (SPEC section 4): formats, encodings, order and containment."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from unionflow.sources.folder import read_folder
from unionflow.sources.payloads import SourceError, item_of_payload, payload_text
from unionflow.sources.tabular import decode_text, iter_csv_rows, iter_xlsx_rows

HEADER = "unit_id,name,level\n"
ROW = "BT-C-0001,包头市第三医院,city\n"


@pytest.mark.parametrize(
    "encoded",
    [
        (HEADER + ROW).encode("utf-8"),
        (HEADER + ROW).encode("utf-8-sig"),
        (HEADER + ROW).encode("gbk"),
        (HEADER + ROW).encode("gb18030"),
        (HEADER + ROW).encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16"],
)
def test_csv_is_read_whatever_its_encoding(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(encoded)
    rows = list(iter_csv_rows(path))
    assert rows == [(2, '{"unit_id":"BT-C-0001","name":"包头市第三医院","level":"city"}')]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_a_tab_separated_export_is_read_by_its_columns(tmp_path: Path, encoding: str) -> None:
    # Excel's "Unicode text" export: UTF-16 with tabs, often renamed to .csv by hand.
    path = tmp_path / "units.csv"
    path.write_bytes((HEADER + ROW).replace(",", "\t").encode(encoding))
    rows = list(iter_csv_rows(path))
    assert rows == [(2, '{"unit_id":"BT-C-0001","name":"包头市第三医院","level":"city"}')]


def test_a_comma_separated_file_keeps_tabs_inside_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(HEADER + "BT-C-0001,第三\t医院,city\n", encoding="utf-8")
    assert list(iter_csv_rows(path)) == [(2, '{"unit_id":"BT-C-0001","name":"第三\\t医院","level":"city"}')]


def test_gbk_text_is_not_mistaken_for_utf8() -> None:
    assert decode_text("职工人数".encode("gbk")) == "职工人数"


def test_csv_row_numbers_are_the_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(HEADER + ROW + "\n" + ROW, encoding="utf-8")
    assert [number for number, _ in iter_csv_rows(path)] == [2, 4]


def test_xlsx_rows_are_read_from_the_first_sheet(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "units.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["unit_id", "employees", "name"])
    sheet.write_row(1, 0, ["BT-C-0001", 1200, "包头市第三医院"])
    workbook.close()
    assert list(iter_xlsx_rows(path)) == [
        (2, '{"unit_id":"BT-C-0001","employees":1200,"name":"包头市第三医院"}')
    ]


def test_a_folder_is_read_in_path_order_with_every_json_shape(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    (submissions / "b.jsonl").write_text('{"submission_id": "S3"}\nnot json\n', encoding="utf-8")
    (submissions / "a.json").write_text(
        json.dumps([{"submission_id": "S1"}, {"submission_id": "S2"}]), encoding="utf-8"
    )
    (submissions / "c.json").write_text('{"submission_id": "S4"}', encoding="utf-8")
    (submissions / "notes.txt").write_text("ignored", encoding="utf-8")
    batch = read_folder(tmp_path)["submission"]
    assert batch.source_refs == [
        "submissions/a.json#item=1",
        "submissions/a.json#item=2",
        "submissions/b.jsonl#line=1",
        "submissions/b.jsonl#line=2",
        "submissions/c.json",
    ]
    assert batch.payloads[3] == "not json"


def test_a_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        read_folder(tmp_path / "nowhere")


def test_files_linked_from_outside_the_folder_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jsonl"
    outside.write_text('{"submission_id": "SECRET"}\n', encoding="utf-8")
    folder = tmp_path / "source"
    (folder / "submissions").mkdir(parents=True)
    (folder / "submissions" / "linked.jsonl").symlink_to(outside)
    assert len(read_folder(folder)["submission"]) == 0


def test_two_registry_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(HEADER, encoding="utf-8")
    (tmp_path / "units.xlsx").write_bytes(b"")
    with pytest.raises(SourceError, match="several units files"):
        read_folder(tmp_path)


@pytest.mark.parametrize("item", [{"b": 1, "a": [1.5, None]}, "not json", [1, 2], 42, "{"])
def test_a_payload_round_trips_through_the_portal_item_form(item: object) -> None:
    text = payload_text(item)
    assert payload_text(item_of_payload(text)) == text


def test_payload_text_keeps_key_order_and_unicode() -> None:
    assert payload_text({"z": "职工", "a": 1}) == '{"z":"职工","a":1}'
    assert orjson.loads(payload_text({"z": "职工"})) == {"z": "职工"}
