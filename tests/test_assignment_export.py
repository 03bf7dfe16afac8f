"""assignments.csv: every assigned pair with both units' names, one row per pair."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from tasks.assign import export_assignment_task
from warehouse.assignments import replace_assignments
from warehouse.connection import open_warehouse

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]

NAME = "包头钢铁(集团)有限责任公司稀土钢板材厂"  # every unit of the test registry


def test_each_assigned_pair_is_a_row_with_both_units_names(registry_db: Path, tmp_path: Path) -> None:
    pairs = pd.DataFrame(
        {"reviewer_unit_id": ["BT-C-0001", "BT-C-0002"], "reviewee_unit_id": ["BT-C-0002", "BT-X-0003"]}
    )
    with open_warehouse(registry_db) as conn:
        replace_assignments(conn, 2025, pairs, 7)
        path = export_assignment_task.fn(conn, 2025, tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(raw[3:].decode("utf-8")))) == [
        ["year", "reviewer_unit_id", "reviewer_name", "reviewee_unit_id", "reviewee_name"],
        ["2025", "BT-C-0001", NAME, "BT-C-0002", NAME],
        ["2025", "BT-C-0002", NAME, "BT-X-0003", NAME],
    ]
