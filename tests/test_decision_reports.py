"""Decision support on a published synthetic year: report sections, workbook sheets, CLI files."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tasks.reports import load_report_data
from tests.cli import unionflow
from tests.conftest import YEAR
from tests.test_report_html import private_copy, published_year
from unionflow.reports.html import render_html
from warehouse import allocation_runs
from warehouse.connection import open_warehouse

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]


@pytest.fixture(scope="module")
def year_copy(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A private copy of the published synthetic year (warehouse, out folder)."""
    return private_copy(published_year(synthetic_year, tmp_path_factory), tmp_path_factory.mktemp("decision"))


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def report_data(db: Path):  # type: ignore[no-untyped-def]
    with open_warehouse(db, read_only=True) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        return load_report_data(conn, YEAR, run.allocation_run_id)


def test_the_current_budget_scenario_equals_the_published_allocation(year_copy: tuple[Path, Path]) -> None:
    db, out = year_copy
    data = report_data(db)
    assert data.scenarios is not None
    current = data.scenarios.set_index("share").loc[100]
    published = [r for r in rows(out / "allocations.csv") if r["reason"] == "funded"]
    assert current["funded"] == len(published)
    assert current["allocated"] == sum(int(r["amount_cny"]) for r in published)
    assert list(data.scenarios["share"]) == [80, 100, 120]


def test_report_page_shows_the_scenarios_and_the_units_to_discuss(year_copy: tuple[Path, Path]) -> None:
    data = report_data(year_copy[0])
    page = render_html(data, "en")
    assert '<section id="scenarios">' in page and '<section id="stability">' in page
    assert data.stability is not None
    borderline = data.stability[data.stability["borderline"]]
    listed = re.findall(r'<table id="stability-table">.*?</table>', page, re.S)
    body = listed[0] if listed else ""
    assert len(borderline) > 0
    for unit_id in borderline["unit_id"]:
        assert f'<div class="sub">{unit_id}</div>' in body
    assert body.count("<tr>") == len(borderline) + 1  # the header row and one per unit


def test_chinese_report_titles_the_new_sections_in_chinese(year_copy: tuple[Path, Path]) -> None:
    page = render_html(report_data(year_copy[0]), "zh")
    assert "预算情景（草案）" in page and "会上需讨论的单位" in page
    assert "of the budget" not in page and "To discuss" not in page


def test_workbook_has_scenarios_and_a_stability_row_per_scored_unit(year_copy: tuple[Path, Path]) -> None:
    _, out = year_copy
    book = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert {"Scenarios", "Stability"} <= set(book.sheetnames)
    scored = [r for r in rows(out / "scores.csv") if r["total"]]
    stability = list(book["Stability"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in stability) == sorted(r["unit_id"] for r in scored)


def test_scenarios_command_at_the_published_budget_equals_allocations_csv(
    year_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    db, out = year_copy
    result = unionflow(
        "scenarios", "--year", str(YEAR), "--db", str(db), "--out", str(tmp_path), "--budget", "1000000"
    )
    assert result.code == 0, result.stderr
    amounts = {r["unit_id"]: r["s1"] for r in rows(tmp_path / "scenarios.csv") if r["unit_id"] != "TOTAL"}
    published = {
        r["unit_id"]: r["amount_cny"] for r in rows(out / "allocations.csv") if r["unit_id"] != "TOTAL"
    }
    assert amounts == {k: v for k, v in published.items() if k in amounts}
    assert set(amounts) == {r["unit_id"] for r in rows(out / "scores.csv") if r["total"]} | (
        set(amounts) - set()
    )


def test_stability_command_writes_the_same_bytes_for_a_seed(
    year_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    db, _ = year_copy
    for name in ("a", "b"):
        result = unionflow(
            "stability",
            "--year",
            str(YEAR),
            "--db",
            str(db),
            "--out",
            str(tmp_path / name),
            "--resamples",
            "300",
        )
        assert result.code == 0, result.stderr
        assert "borderline" in result.stdout
    assert (tmp_path / "a" / "stability.csv").read_bytes() == (tmp_path / "b" / "stability.csv").read_bytes()


def test_a_workbook_whose_scenarios_fund_nobody_still_has_its_scenarios_sheet(
    year_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    from dataclasses import replace

    from unionflow.reports.xlsx import write_xlsx

    data = report_data(year_copy[0])
    assert data.scenarios is not None
    nobody = data.scenarios.assign(median_amount=None, funded=0)  # no scenario has a median
    path = write_xlsx(tmp_path / "report.xlsx", replace(data, scenarios=nobody), "en")
    sheet = list(openpyxl.load_workbook(path, read_only=True)["Scenarios"].iter_rows(values_only=True))
    assert len(sheet) == len(nobody) + 1
