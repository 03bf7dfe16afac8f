"""Source folders written byte by byte for the file-intake tests, and collecting one without Prefect.

`collect_folder` runs the same steps as the `collect` flow (land each kind from the folder, then
validate and load it) on a real DuckDB file, minus the Prefect flow around them, so a property
test can collect many folders quickly.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tasks.collect import default_deadline, land_from_folder, validate_and_load
from tests.conftest import REGISTRY, YEAR, submission_record, unit_record
from unionflow.records import RECORD_KINDS
from warehouse.collections import FileReconciliation, Reconciliation, file_reconciliation, start_collection
from warehouse.connection import open_warehouse
from warehouse.sql import run

SUBMISSION_HEADER = list(submission_record())


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    """CSV text as Excel writes it (quoted where needed, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_registry(folder: Path) -> None:
    """units.csv with the four-unit test registry."""
    header = list(unit_record())
    rows = [[unit_record(r[0])[name] for name in header] for r in REGISTRY]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(csv_text(header, rows), encoding="utf-8")


def submission_row(number: int, **changes: Any) -> list[Any]:
    """A valid submission of unit BT-C-0001 or BT-C-0002 with id S2025-<number>."""
    unit = "BT-C-0001" if number % 2 else "BT-C-0002"
    record = submission_record(submission_id=f"S2025-{number:06d}", unit_id=unit, **changes)
    return [record.get(name, "") for name in SUBMISSION_HEADER]


def collect_folder(folder: Path, db: Path) -> tuple[list[Reconciliation], FileReconciliation | None]:
    """Collect the folder for YEAR into `db` as the collect flow does; the reconciliation lines."""
    deadline = default_deadline(YEAR)
    with open_warehouse(db) as conn:
        collection_id = start_collection(conn, YEAR, str(folder))
        results = []
        for kind in RECORD_KINDS:
            scope = None if kind == "unit" else YEAR
            landing = land_from_folder.fn(conn, folder, kind, scope, collection_id)
            results.append(validate_and_load(conn, kind, YEAR, collection_id, landing, deadline))
        return results, file_reconciliation(conn, collection_id)


def quarantine(db: Path) -> list[dict[str, Any]]:
    """Every quarantine row with its payload, in payload order."""
    with open_warehouse(db, read_only=True) as conn:
        rows = run(
            conn,
            "select q.source_ref, q.rule, q.message, p.payload from quarantine q"
            " join raw_payloads p using (payload_id) order by payload_id",
        )
    return [dict(zip(("source_ref", "rule", "message", "payload"), row, strict=True)) for row in rows]


def accepted_submissions(db: Path) -> list[str]:
    """The ids of the accepted submissions, sorted."""
    with open_warehouse(db, read_only=True) as conn:
        return [row[0] for row in run(conn, "select submission_id from submissions order by 1")]


def received_files(db: Path) -> list[tuple[Any, ...]]:
    """(path, size, sha256, parser, encoding, status, payloads) of every file received, by path."""
    with open_warehouse(db, read_only=True) as conn:
        return run(
            conn,
            "select path, size_bytes, sha256, parser, encoding, status, payloads from received_files"
            " where collection_id = (select max(collection_id) from received_files) order by path",
        )


def kept_contents(db: Path) -> dict[str, bytes]:
    """The kept copy of every received file's bytes, by SHA-256."""
    with open_warehouse(db, read_only=True) as conn:
        return {
            sha: bytes(content)
            for sha, content in run(conn, "select sha256, content from received_file_contents")
        }


def warehouse_state(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What must not change when the same folder is collected again."""
    queries = {
        "raw_payloads": "select payload_id, record_kind, source_ref, sha256 from raw_payloads order by all",
        "units": "select * from units order by all",
        "submissions": "select * from submissions order by all",
        "quarantine": "select * from quarantine order by all",
        "received_file_contents": "select sha256, size_bytes from received_file_contents order by all",
    }
    with open_warehouse(db, read_only=True) as conn:
        return {name: run(conn, sql) for name, sql in queries.items()}
