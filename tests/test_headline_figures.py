"""The headline figures are defined once and every output shows the same ones: report.html's
tiles, report.xlsx's Summary sheet and the console, in both languages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from flows.summary import print_outcome
from tasks.allocate import allocate_year_task
from tasks.reports import load_report_data
from tests.conftest import YEAR
from tests.test_report_html import published_year
from unionflow.assessment import load_config
from unionflow.assessment.config import validate_config
from unionflow.reports.catalogue import catalogue
from unionflow.reports.data import COUNT_FIGURES, MONEY_FIGURES
from unionflow.reports.html import render_html
from unionflow.reports.leftover import leftover_reason_text
from unionflow.reports.xlsx import write_xlsx
from warehouse import allocation_runs
from warehouse.connection import open_warehouse
from warehouse.publication import Headline

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]
FIGURES = (*COUNT_FIGURES, *MONEY_FIGURES)


def html_figures(html: str) -> dict[str, int]:
    found = re.findall(r'data-figure="(\w+)">([\d,]+)', html)
    return {key: int(value.replace(",", "")) for key, value in found}


def xlsx_figures(path: Path, lang: str) -> dict[str, int]:
    labels = {catalogue(lang).text(key): key for key in FIGURES}
    rows = openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True)
    return {labels[row[0]]: row[1] for row in rows if row[0] in labels and isinstance(row[1], int)}


def console_figures(db: Path, run_id: int, lang: str) -> dict[str, int]:
    console = Console(record=True, width=220)
    print_outcome(console, db, YEAR, run_id, lang=lang)
    text = console.export_text()
    labels = {catalogue(lang).text(key): key for key in FIGURES}
    figures = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) >= 2 and cells[0] in labels and labels[cells[0]] not in figures:
            figures[labels[cells[0]]] = int(re.sub(r"[^\d]", "", cells[1]))
    return figures


@pytest.fixture(scope="module")
def year(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, Headline]:
    shared_db, _ = published_year(synthetic_year, tmp_path_factory)
    db = tmp_path_factory.mktemp("headline") / "w.duckdb"
    shutil.copyfile(shared_db, db)
    with open_warehouse(db, read_only=True) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        run_id = run.allocation_run_id
        headline = load_report_data(conn, YEAR, run_id).headline
    return db, run_id, headline


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_the_workbook_and_the_console_show_the_same_headline_figures(
    year: tuple[Path, int, Headline], tmp_path: Path, lang: str
) -> None:
    db, run_id, headline = year
    expected = {key: int(getattr(headline, key)) for key in FIGURES}
    with open_warehouse(db, read_only=True) as conn:
        data = load_report_data(conn, YEAR, run_id)
    assert html_figures(render_html(data, lang)) == expected
    assert xlsx_figures(write_xlsx(tmp_path / "r.xlsx", data, lang), lang) == expected
    assert console_figures(db, run_id, lang) == expected


def test_the_figures_tell_one_story(year: tuple[Path, int, Headline]) -> None:
    db, run_id, h = year
    with open_warehouse(db, read_only=True) as conn:
        scores = load_report_data(conn, YEAR, run_id).scores
    grades = scores["grade"].value_counts().to_dict()
    # Units without an accepted submission are exactly the `missing` grade, whether or not they
    # submitted something that was quarantined (so "submitted" and "no valid submission" agree).
    assert grades.get("missing", 0) == h.registered - h.accepted
    assert h.accepted <= h.submitted <= h.registered
    assert h.scored == h.accepted - grades.get("incomplete", 0)
    assert h.quarantined == h.quarantined_units + h.quarantined_submissions + h.quarantined_reviews
    assert h.allocated + h.unallocated == h.budget
    assert catalogue("zh").code("grade", "missing") == "无有效申报"  # not "未申报" (did not submit)


@pytest.fixture(scope="module")
def surplus_run(
    year: tuple[Path, int, Headline], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, int]:
    """A draft run of the year with a budget far above what the cap lets the units take."""
    shared_db, _, _ = year
    db = tmp_path_factory.mktemp("surplus") / "w.duckdb"
    shutil.copyfile(shared_db, db)
    base = load_config(None)
    cfg = validate_config(
        base.model_copy(update={"allocation": base.allocation.model_copy(update={"budget": 50_000_000})})
    )
    with open_warehouse(db) as conn:
        outcome = allocate_year_task.fn(conn, YEAR, cfg)
    return db, outcome.allocation_run_id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_money_left_in_the_fund_is_explained_on_the_page_the_workbook_and_the_console(
    surplus_run: tuple[Path, int], tmp_path: Path, lang: str
) -> None:
    db, run_id = surplus_run
    with open_warehouse(db, read_only=True) as conn:
        data = load_report_data(conn, YEAR, run_id)
    h = data.headline
    assert h.unallocated_reason == "all_at_cap"
    cat = catalogue(lang)
    reason = leftover_reason_text("all_at_cap", {"funded": h.funded, "cap": 20_000}, cat)
    expected = cat.text("unallocated_reason_note", reason=reason)
    assert expected in render_html(data, lang)
    summary = openpyxl.load_workbook(write_xlsx(tmp_path / "r.xlsx", data, lang))["Summary"]
    assert expected in {row[2] for row in summary.iter_rows(values_only=True) if len(row) > 2}
    console = Console(record=True, width=400)
    print_outcome(console, db, YEAR, run_id, lang=lang)
    assert expected in console.export_text()


def test_a_budget_spent_to_within_a_step_needs_no_explanation(year: tuple[Path, int, Headline]) -> None:
    _, _, headline = year
    assert headline.unallocated <= 100
    assert headline.unallocated_reason is None
