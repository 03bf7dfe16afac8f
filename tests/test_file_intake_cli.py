"""The file crashes of issue 14 through the real `unionflow collect`: a huge CSV cell and a broken
workbook among the submissions no longer stop the year; the files line follows the record lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import unionflow
from tests.folders import SUBMISSION_HEADER, csv_text, quarantine, submission_row, write_registry

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    write_registry(folder)
    submissions = folder / "submissions"
    submissions.mkdir()
    rows = [submission_row(1), submission_row(2, summary="长" * 140_000)]
    (submissions / "a.csv").write_text(csv_text(SUBMISSION_HEADER, rows), encoding="utf-8")
    (submissions / "damaged.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (submissions / "empty.xlsx").write_bytes(b"")
    return folder


def test_a_huge_cell_and_broken_workbooks_do_not_stop_the_collection(
    hostile_folder: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    result = unionflow("collect", "--year", "2025", "--source", str(hostile_folder), "--db", str(db))
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr and "_csv.Error" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-4].startswith("units: received 4 = accepted 4 ")
    assert lines[-3] == ("submissions: received 4 = accepted 1 + quarantined 3 + superseded 0 + replayed 0")
    assert lines[-1] == "files: received 4 = parsed 2 + unreadable 2"
    assert sorted((q["source_ref"], q["rule"]) for q in quarantine(db)) == [
        ("submissions/a.csv#row=3", "too_long"),
        ("submissions/damaged.xlsx", "malformed"),
        ("submissions/empty.xlsx", "malformed"),
    ]


def test_collecting_the_hostile_folder_again_replays_everything(hostile_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    unionflow("collect", "--year", "2025", "--source", str(hostile_folder), "--db", str(db))
    again = unionflow("collect", "--year", "2025", "--source", str(hostile_folder), "--db", str(db))
    assert again.code == 0, again.stderr
    assert "submissions: received 4 = accepted 0 + quarantined 0 + superseded 0 + replayed 4" in again.stdout
    assert again.stdout.strip().splitlines()[-1] == "files: received 4 = parsed 2 + unreadable 2"
