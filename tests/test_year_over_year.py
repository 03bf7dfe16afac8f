"""Year over year on a 3-year synthetic warehouse: synth --years, the report, the workbook."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from flows.annual import annual_assessment
from tests.browser import chromium, find_chromium
from tests.cli import unionflow
from tests.test_report_html import assert_offline, open_page
from unionflow.synth.truth import TRUTH_FILE
from unionflow.synth.years import parse_years

YEARS = (2023, 2024, 2025)

pytestmark = pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning")


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def three_years(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(source root, published root): 60 units synthesised for 2023–2025 and run year by year
    into one warehouse, each year published to its own folder."""
    base = tmp_path_factory.mktemp("years")
    result = unionflow("synth", "--units", "60", "--years", "2023-2025", "--out", str(base / "source"))
    assert result.code == 0, result.stderr
    db = base / "w.duckdb"
    for year in YEARS:
        annual_assessment(
            year=year, source=str(base / "source" / str(year)), out=str(base / "out" / str(year)), db=str(db)
        )
    return base / "source", base / "out"


def test_years_parse_as_a_range() -> None:
    assert parse_years("2023-2025") == [2023, 2024, 2025]
    assert parse_years("2025") == [2025]
    with pytest.raises(ValueError, match="2023-2025"):
        parse_years("2025-2023x")


def test_synth_years_keeps_each_units_quality_from_year_to_year(three_years: tuple[Path, Path]) -> None:
    source, _ = three_years
    truths = [pd.read_csv(source / str(y) / TRUTH_FILE).set_index("unit_id")["quality"] for y in YEARS]
    assert truths[0].equals(truths[1]) and truths[1].equals(truths[2])
    assert (source / "2024" / "reviews.csv").read_bytes() != (source / "2025" / "reviews.csv").read_bytes()


def test_bad_years_are_refused_with_exit_2(tmp_path: Path) -> None:
    result = unionflow("synth", "--units", "60", "--years", "soon", "--out", str(tmp_path))
    assert result.code == 2 and "--years" in result.stderr


def test_the_report_shows_the_earlier_years_and_the_grade_moves(three_years: tuple[Path, Path]) -> None:
    _, out = three_years
    page = (out / "2025" / "report.html").read_text(encoding="utf-8")
    assert '<section id="trend">' in page and 'id="grade-moves"' in page
    assert "Against 2024:" in page
    first = (out / "2023" / "report.html").read_text(encoding="utf-8")
    assert '<section id="trend">' not in first


def test_trend_sheet_figures_equal_each_years_published_files(three_years: tuple[Path, Path]) -> None:
    _, out = three_years
    book = openpyxl.load_workbook(out / "2025" / "report.xlsx", read_only=True)
    sheet = list(book["Trend"].iter_rows(values_only=True))
    header, body = list(sheet[0]), sheet[1:]
    trend = pd.DataFrame(body, columns=header)
    for year in YEARS:
        allocations = {
            r["unit_id"]: r for r in rows(out / str(year) / "allocations.csv") if r["unit_id"] != "TOTAL"
        }
        ranks = {r["unit_id"]: r["rank"] for r in rows(out / str(year) / "scores.csv")}
        mine = trend[trend["year"] == year]
        assert len(mine) > 0
        for r in mine.itertuples(index=False):
            published = allocations[r.unit_id]
            assert published["grade"] == r.grade
            assert int(published["amount_cny"]) == r.amount_cny
            assert published["total"] == ("" if pd.isna(r.total) else f"{r.total:.4f}")
            assert ranks[r.unit_id] == ("" if pd.isna(r.rank) else str(int(r.rank)))


def test_grade_moves_count_units_against_the_previous_year(three_years: tuple[Path, Path]) -> None:
    _, out = three_years
    order = ["excellent", "good", "pass", "fail"]
    before = {r["unit_id"]: r["grade"] for r in rows(out / "2024" / "scores.csv")}
    now = {r["unit_id"]: r["grade"] for r in rows(out / "2025" / "scores.csv")}
    both = [(before[u], now[u]) for u in now if u in before and before[u] in order and now[u] in order]
    up = sum(order.index(n) < order.index(b) for b, n in both)
    down = sum(order.index(n) > order.index(b) for b, n in both)
    page = (out / "2025" / "report.html").read_text(encoding="utf-8")
    assert f"units that improved a grade: {up}; declined: {down}." in page


def test_feedback_sheets_show_the_units_earlier_years(three_years: tuple[Path, Path], tmp_path: Path) -> None:
    source, out = three_years
    db = source.parent / "w.duckdb"
    result = unionflow("feedback", "--year", "2025", "--out", str(tmp_path), "--db", str(db))
    assert result.code == 0, result.stderr
    allocations = {r["unit_id"]: r for r in rows(out / "2024" / "allocations.csv") if r["unit_id"] != "TOTAL"}
    unit_id = next(u for u, r in allocations.items() if r["reason"] == "funded")
    sheet = next(p for p in tmp_path.iterdir() if unit_id in p.name).read_text(encoding="utf-8")
    table = sheet[sheet.index('<table id="history">') :]
    table = table[: table.index("</table>")]
    assert "<td>2023</td>" in table and "<td>2024</td>" in table and "<td>2025</td>" not in table
    assert f"{int(allocations[unit_id]['amount_cny']):,}" in table
    assert f"{float(allocations[unit_id]['total']):.2f}" in table


def test_the_trend_table_shows_in_a_real_browser(three_years: tuple[Path, Path]) -> None:
    _, out = three_years
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (run scripts/install-chromium.sh)")
    with chromium(executable) as browser:
        page = open_page(browser, out / "2025" / "report.html", 1400)
        assert_offline(page)
        shown = page.evaluate(
            "(() => { const t = document.querySelector('#trend-table');"
            " const r = t.getBoundingClientRect();"
            " return [r.width > 0 && r.height > 0, t.querySelectorAll('tbody tr').length,"
            " [...t.querySelectorAll('thead th')].map(h => h.textContent.trim())]; })()"
        )
        moves = page.evaluate("document.querySelector('#grade-moves').textContent")
    visible, count, headers = shown
    assert visible and count > 0
    assert {"2023", "2024", "2025"} <= set(headers)
    assert moves.startswith("Against 2024:")
