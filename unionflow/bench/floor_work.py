"""The same-work floors of issue 20, stage by stage: plain DuckDB SQL (unionflow/bench/floors/*.sql)
doing what a unionflow stage does, on the same data, driven by this thin runner.

Only the field catalogue's names and the text-safety character sets are taken from unionflow (what
the data is, not how it is checked); every rule, join, rank and format is the floor's own SQL, so
`tests/test_bench_floors.py` comparing the two results is a real cross-check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from expectations.fields import FIELDS, json_path
from expectations.text_safety import FREE_TEXT, ONE_LINE
from unionflow.bench import floors
from unionflow.records import RecordKind


@dataclass(frozen=True)
class SourceFiles:
    """The UTF-8 files of a source folder, as DuckDB's readers take them."""

    units: Path
    reviews: Path
    jsonl: list[Path]
    json: list[Path]

    @classmethod
    def of(cls, source: Path) -> SourceFiles:
        """The folder's UTF-8 CSV files and its JSON submissions (GB18030 and XLSX files are
        left to Python's readers: collect's floor is DuckDB's reader on what it can read)."""
        submissions = source / "submissions"
        return cls(
            source / "units.csv",
            source / "reviews.csv",
            sorted(submissions.glob("*.jsonl")),
            sorted(submissions.glob("*.json")),
        )

    def every_file(self) -> list[Path]:
        return [self.units, self.reviews, *self.jsonl, *self.json]


def prepare(conn: duckdb.DuckDBPyConnection) -> None:
    """The floor's schema (dropped by `clean`) and its macros, on this connection."""
    floors.run(conn, "schema")
    floors.run(conn, "contracts_macros")


def clean(conn: duckdb.DuckDBPyConnection) -> None:
    """Drop every table a floor wrote, so the warehouse is as unionflow left it."""
    floors.run(conn, "drop")


def collect(conn: duckdb.DuckDBPyConnection, files: SourceFiles) -> int:
    """Read and land the UTF-8 files (payloads and file receipts with SHA-256); payloads landed."""
    floors.run(
        conn,
        "collect",
        {
            "files": [str(p) for p in files.every_file()],
            "units": str(files.units),
            "reviews": str(files.reviews),
            "jsonl": [str(p) for p in files.jsonl],
            "json": [str(p) for p in files.json],
        },
    )
    return len(files.every_file())


def contracts(conn: duckdb.DuckDBPyConnection, year: int, deadline: object) -> int:
    """Submissions and reviews of `year`: rules, replays, latest versions; accepted and quarantine
    tables written under `bench_floor`. Returns the payloads judged."""
    kinds: tuple[tuple[RecordKind, str], ...] = (
        ("submission", "contracts_submissions"),
        ("review", "contracts_reviews"),
    )
    for kind, name in kinds:
        fields = FIELDS[kind]
        floors.run(
            conn,
            name,
            {
                "year": year,
                "deadline": deadline,
                "paths": [
                    *(json_path(f.name) for f in fields),
                    *(json_path(f.zh) for f in fields),
                    json_path("_row"),
                    json_path("_malformed"),
                ],
                "n": len(fields),
                "one_line": ONE_LINE,
                "free_text": FREE_TEXT,
            },
        )
    floors.run(conn, "contracts_write", {"year": year})
    return int(floors.run(conn, "verdict_counts")[0][0])


def gx_records(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, bool]:
    """The records suites' checks as SQL aggregates: check → passed."""
    return {str(check): bool(success) for check, _, _, success in floors.run(conn, "gx", {"year": year})}


def score(conn: duckdb.DuckDBPyConnection, year: int) -> str:
    """Scores, review flags and the input hash of `year` (tables under `bench_floor`)."""
    return str(floors.run(conn, "score", {"year": year})[0][0])


def csv_files(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int, score_run_id: int, out: Path
) -> list[Path]:
    """scores.csv, allocations.csv and quarantine.csv written by COPY into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "scores.csv", out / "allocations.csv", out / "quarantine.csv"]
    floors.run(
        conn,
        "csv",
        {"year": year, "allocation_run_id": allocation_run_id, "score_run_id": score_run_id},
        {"scores": str(files[0]), "allocations": str(files[1]), "quarantine": str(files[2])},
    )
    return files


def xlsx(
    conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int, score_run_id: int, path: Path
) -> int:
    """The workbook's four tables written cell by cell with XlsxWriter in constant_memory mode
    (the same rows as unionflow's sheets, without its formats); returns the rows written."""
    import xlsxwriter

    params = {"year": year, "allocation_run_id": allocation_run_id, "score_run_id": score_run_id}
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    written = 0
    for sheet, name in (
        ("Scores", "xlsx_scores"),
        ("Allocations", "xlsx_allocations"),
        ("Flags", "xlsx_flags"),
        ("Quarantine", "xlsx_quarantine"),
    ):
        columns, rows = floors.table(conn, name, params)
        worksheet = book.add_worksheet(sheet)
        worksheet.write_row(0, 0, columns)
        for number, row in enumerate(rows, start=1):
            worksheet.write_row(number, 0, row)
            written += 1
    book.close()
    return written
