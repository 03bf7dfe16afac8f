"""CSV cells: numbers formatted for reproducibility, text neutralised against formula injection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from unionflow.reports.cells import neutralise
from unionflow.reports.csv_files import (
    integer_column,
    score_cell,
    score_column,
    text_column,
    write_allocations,
)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_run_as_a_formula_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["包头市第三医院", "BT-C-0001", "<script>alert(1)</script>", ""])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_scores_have_four_decimals_and_missing_is_empty() -> None:
    assert [score_cell(v) for v in (85.0, 1 / 3, float("nan"), None)] == ["85.0000", "0.3333", "", ""]


def test_a_unit_named_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "year": [2025],
            "unit_id": ["BT-C-0001"],
            "name": ['=HYPERLINK("http://x")'],
            "total": [88.5],
            "grade": ["excellent"],
            "amount_cny": [20000],
            "reason": ["funded"],
        }
    )
    write_allocations(tmp_path / "a.csv", frame)
    text = (tmp_path / "a.csv").read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert text.endswith("TOTAL,,,,,20000,\r\n")


def test_text_columns_are_neutralised_and_missing_values_are_empty() -> None:
    values = pd.Series(["=1+1", "+86", "-3", "@SUM", "\tx", "\rx", "plain", "", "包头", None, float("nan")])
    assert text_column(values) == [
        "'=1+1", "'+86", "'-3", "'@SUM", "'\tx", "'\rx", "plain", "", "包头", "", "",
    ]  # fmt: skip


def test_score_and_integer_columns_are_formatted_for_reproducibility() -> None:
    scores = pd.Series([85.0, 1 / 3, 2.00005, float("nan"), None], dtype=object)
    assert score_column(scores) == ["85.0000", "0.3333", "2.0000", "", ""]
    assert integer_column(pd.Series([3, None, 0], dtype="Int64")) == ["3", "", "0"]
    assert integer_column(pd.Series([3.0, float("nan")])) == ["3", ""]
