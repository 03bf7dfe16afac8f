"""The report of a published run states that its results are current: computed from the accepted
inputs whose hash it names, as of publication (issue 19), in both languages, from stored data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from markupsafe import escape

from tasks.reports import load_report_data
from tests.conftest import YEAR
from tests.test_report_html import published_year
from unionflow.reports.catalogue import catalogue
from unionflow.reports.data import ReportData, currency_line
from unionflow.reports.html import render_html
from unionflow.reports.xlsx import write_xlsx
from warehouse import allocation_runs
from warehouse.connection import open_warehouse

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]


@pytest.fixture(scope="module")
def shared(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return published_year(synthetic_year, tmp_path_factory)


@pytest.fixture(scope="module")
def data(shared: tuple[Path, Path]) -> ReportData:
    with open_warehouse(shared[0], read_only=True) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        return load_report_data(conn, YEAR, run.allocation_run_id)


def summary_values(path: Path) -> dict[object, object]:
    rows = openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True)
    return {row[0]: row[1] for row in rows if row[0]}


def test_the_published_report_page_states_the_results_are_current_with_the_input_hash(
    shared: tuple[Path, Path], data: ReportData
) -> None:
    page = (shared[1] / "report.html").read_text(encoding="utf-8")  # as the publish flow wrote it
    input_hash = data.score_run.input_hash
    assert len(input_hash) == 64
    line = currency_line(data, catalogue("en"))
    assert line.startswith("Current at publication (") and input_hash in line
    assert f'data-current="{input_hash}">{escape(line)}</p>' in page


def test_the_published_workbook_summary_states_the_results_are_current(
    shared: tuple[Path, Path], data: ReportData
) -> None:
    values = summary_values(shared[1] / "report.xlsx")
    assert values["Results"] == currency_line(data, catalogue("en"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_languages_say_current_with_the_hash_and_the_publication_time(
    data: ReportData, lang: str, tmp_path: Path
) -> None:
    cat = catalogue(lang)
    line = currency_line(data, cat)
    assert data.score_run.input_hash in line and cat.time(data.run.published_at) in line
    assert ("最新" in line) if lang == "zh" else ("Current" in line)
    assert str(escape(line)) in render_html(data, lang)
    assert summary_values(write_xlsx(tmp_path / "r.xlsx", data, lang))[cat.text("results_current")] == line


def test_a_draft_report_makes_no_claim_to_be_current(data: ReportData, tmp_path: Path) -> None:
    draft = replace(data, run=replace(data.run, status="draft", published_at=None))
    assert currency_line(draft, catalogue("en")) == ""
    assert "data-current" not in render_html(draft, "en")
    assert "Results" not in summary_values(write_xlsx(tmp_path / "draft.xlsx", draft, "en"))


def test_the_statement_is_rendered_from_stored_data_so_a_second_rendering_is_identical(
    data: ReportData,
) -> None:
    assert render_html(data, "zh") == render_html(data, "zh")
