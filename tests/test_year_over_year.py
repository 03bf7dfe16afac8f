"""Year over year on a 3-year synthetic warehouse: synth --years, the report, the workbook."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from expectations.derived import submission_frames
from flows.annual import annual_assessment
from tests.browser import chromium, find_chromium
from tests.cli import unionflow
from tests.test_report_html import assert_offline, open_page
from unionflow.synth.truth import TRUTH_FILE
from unionflow.synth.years import parse_years
from warehouse.connection import open_warehouse
from warehouse.copies import wal_of
from warehouse.validation import record_inputs, validation_history

YEARS = (2023, 2024, 2025)
CSV_FILES = ("scores.csv", "allocations.csv", "quarantine.csv")

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


@pytest.mark.parametrize("year", YEARS[:2])
def test_each_consecutive_years_files_hold_that_years_results(
    three_years: tuple[Path, Path], year: int
) -> None:
    _, out = three_years
    scores = rows(out / str(year) / "scores.csv")
    allocations = rows(out / str(year) / "allocations.csv")
    *units, total = allocations
    assert {r["year"] for r in scores} == {r["year"] for r in units} == {str(year)}
    assert {r["unit_id"] for r in units} == {r["unit_id"] for r in scores}
    assert total["year"] == "TOTAL" and int(total["amount_cny"]) == sum(int(r["amount_cny"]) for r in units)
    assert 0 < int(total["amount_cny"]) <= 1_000_000
    assert {r["year"] for r in rows(out / str(year) / "quarantine.csv")} <= {str(year), ""}


def test_the_first_year_republished_after_the_next_ones_is_byte_identical(
    three_years: tuple[Path, Path], tmp_path: Path
) -> None:
    # Later years' collections, scores and publications in the same warehouse leave the first
    # year's published files as they were: republishing it rewrites the same bytes.
    source, out = three_years
    db = tmp_path / "w.duckdb"
    shutil.copyfile(source.parent / "w.duckdb", db)
    if wal_of(source.parent / "w.duckdb").exists():
        shutil.copyfile(wal_of(source.parent / "w.duckdb"), wal_of(db))
    first = str(YEARS[0])
    result = unionflow("publish", "--year", first, "--out", str(tmp_path / "again"), "--db", str(db))
    assert result.code == 0, result.stderr
    for name in CSV_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (out / first / name).read_bytes(), name


def year_over_year_jumps(db: Path, year: int) -> tuple[set[str], set[str], bool]:
    """(units with an accepted submission in `year` and the year before, units whose
    year-over-year jump factor exceeds the check's 5×, whether the stored check of `year` passed)."""
    with open_warehouse(db, read_only=True) as conn:
        inputs = record_inputs(conn, year)
        runs = validation_history(conn, year=year, suite="submissions.warning")
    frame = submission_frames(year, inputs["submissions"], inputs["active_units"], inputs["previous"])[
        "submissions"
    ]
    compared = set(frame["unit_id"]) & set(inputs["previous"]["unit_id"])
    flagged = set(frame.loc[frame["yoy_jump_factor"] > 5, "unit_id"])
    expectations = json.loads(runs.iloc[0]["summary"])["expectations"]
    (check,) = [e for e in expectations if e["check"] == "year_over_year_jump"]
    return compared, flagged, bool(check["success"])


def planted_outliers(source: Path, years: tuple[int, ...]) -> set[str]:
    """Units given an implausible value by the synthesiser in any of `years` (manifest.json)."""
    manifests = [json.loads((source / str(y) / "manifest.json").read_bytes()) for y in years]
    return {o["unit_id"] for m in manifests for o in m["plausibility_outliers"]}


def test_the_second_years_year_over_year_check_compares_with_the_first_and_finds_the_outliers(
    three_years: tuple[Path, Path],
) -> None:
    source, _ = three_years
    compared, flagged, passed = year_over_year_jumps(source.parent / "w.duckdb", YEARS[1])
    assert len(compared) >= 20  # not vacuous: the first year's accepted submissions are read
    # An outlier planted in the first year jumps back in the second; one planted in the second jumps.
    assert planted_outliers(source, YEARS[:2]) <= flagged
    assert passed == (not flagged)


@pytest.mark.xfail(
    strict=True,
    reason="synth's thousands-separator numbers raise workers_served by 1,000-10,000 (a >5x jump), and "
    "innovation_value_cny 0 -> 31,361 CNY is a 31,362x factor with the +1 smoothing meant for counts",
)
def test_the_second_years_year_over_year_check_flags_only_the_planted_outliers(
    three_years: tuple[Path, Path],
) -> None:
    source, _ = three_years
    _, flagged, _ = year_over_year_jumps(source.parent / "w.duckdb", YEARS[1])
    assert flagged == planted_outliers(source, YEARS[:2])


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
