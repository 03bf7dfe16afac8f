"""report.html: rendered from a published synthetic year and checked in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from flows.annual import annual_assessment
from tasks.reports import load_report_data, write_reports_task
from tests.browser import chromium, find_chromium
from tests.conftest import YEAR, built_once
from unionflow.reports.charts import GRADE_COLOURS, HATCHED
from unionflow.reports.findings import Finding, ValidationSummary
from unionflow.reports.html import render_html
from warehouse import allocation_runs
from warehouse.connection import open_warehouse

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    # Calling the task outside a flow makes Prefect say its logs cannot reach the API: expected here.
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]

SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://x")'
#: Units renamed in the shared published year: one like a script, one like a spreadsheet formula.
RENAMED = {"BT-C-0001": SCRIPT_NAME, "BT-C-0002": FORMULA_NAME}
ARTIFACTS = Path(__file__).resolve().parents[1] / "out" / "test-artifacts"


def renamed_source(source: Path, target: Path, names: dict[str, str]) -> Path:
    """A copy of a source folder whose units.csv gives the units in `names` new names."""
    shutil.copytree(source, target)
    units = target / "units.csv"
    rows = list(csv.DictReader(io.StringIO(units.read_text(encoding="utf-8-sig"))))
    assert set(names) <= {r["unit_id"] for r in rows}
    for row in rows:
        row["name"] = names.get(row["unit_id"], row["name"])
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def published_year(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(warehouse, out folder) of one annual run of the synthetic year with the units of RENAMED
    renamed; built once per test run (shared by the xdist workers) for every module that needs a
    published year. Read it only: `private_copy` it before writing. Its source is `published_source`."""

    def build(base: Path) -> None:
        source = renamed_source(synthetic_year, base / "source", RENAMED)
        annual_assessment(year=YEAR, source=str(source), out=str(base / "out"), db=str(base / "w.duckdb"))

    base = built_once(tmp_path_factory, "published-year", build)
    return base / "w.duckdb", base / "out"


def published_source(published: tuple[Path, Path]) -> Path:
    """The source folder the shared published year was run from (the synthetic year, renamed)."""
    return published[0].parent / "source"


def private_copy(published: tuple[Path, Path], target: Path) -> tuple[Path, Path]:
    """A copy of a published (warehouse, out folder) under `target`, free to write to."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published[0], target / "w.duckdb")
    shutil.copytree(published[1], target / "out")
    return target / "w.duckdb", target / "out"


@dataclass(frozen=True)
class Published:
    db: Path
    out: Path
    run_id: int


#: A validation outcome with one warning, as the publish flow passes it (tests of the box).
WARNING = Finding(
    suite="submissions.warning",
    severity="warning",
    check="trainees_per_employee",
    batch="submissions",
    bounds={"min": 0, "max": 20},
    count=1,
    total=200,
    examples=(("BT-X-0047", "50"),),
)
VALIDATION = ValidationSummary(checks=30, warnings=[WARNING])


@pytest.fixture(scope="module")
def published(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A published synthetic year (one unit named like a script) with its reports written."""
    shared = published_year(synthetic_year, tmp_path_factory)
    db, out = private_copy(shared, tmp_path_factory.mktemp("report-html"))
    with open_warehouse(db) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        run_id = run.allocation_run_id
        files = write_reports_task(conn, YEAR, run_id, out, "en", VALIDATION)
    assert [f.name for f in files] == ["report.html", "report.xlsx"]
    return Published(db, out, run_id)


def render(published: Published, lang: str = "en", **options: int) -> str:
    with open_warehouse(published.db, read_only=True) as conn:
        data = load_report_data(conn, YEAR, published.run_id, VALIDATION)
    return render_html(data, lang, **options)


# --------------------------------------------------------------------------------------------------
# In the browser

AXE = Path(__file__).resolve().parents[1] / "out" / "test-tools" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 390)


def _needed(what: str, installer: str) -> None:
    # CI installs both (make test); there a missing tool is a failure, never a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed although CI runs {installer}")
    pytest.skip(f"{what} is not installed (run {installer})")


@pytest.fixture(scope="module")
def browser() -> Any:
    """One headless Chromium for the module's page checks."""
    executable = find_chromium()
    if executable is None:
        _needed("chromium", "scripts/install-chromium.sh")
    with chromium(executable) as running:  # type: ignore[arg-type]
        yield running


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, installed from the npm registry by scripts/install-axe.sh."""
    if not AXE.is_file():
        _needed("axe-core", "scripts/install-axe.sh")
    return AXE.read_text(encoding="utf-8")


def open_page(browser: Any, path: Path, width: int) -> Any:
    """A new tab laid out `width` pixels wide, showing the file at `path`."""
    page = browser.new_page()
    page.set_width(width)
    page.goto(path.as_uri())
    return page


def assert_offline(page: Any) -> None:
    """Every request the page made was a local file or inline data; nothing failed or was blocked."""
    remote = [
        r["request"]["url"] for r in page.requests if not r["request"]["url"].startswith(("file:", "data:"))
    ]
    assert remote == []
    assert page.failures == []
    assert page.csp_violations() == []


def assert_accessible(page: Any, axe_source: str) -> None:
    """axe-core finds no serious or critical violation (run last: it re-reads stylesheets itself)."""
    found = [v for v in page.axe(axe_source) if v["impact"] in ("serious", "critical")]
    assert found == [], found


def keep(shot: Path) -> None:
    """A copy of a screenshot in out/test-artifacts for people (the test's tmp folder has the original)."""
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, ARTIFACTS / shot.name)
    except OSError:
        pass  # a read-only checkout: the copy in tmp_path is enough


@pytest.fixture(scope="module")
def chinese_page(published: Published) -> Path:
    """report.html rendered in Chinese beside the English one (same data)."""
    path = published.out / "report-zh.html"
    path.write_text(render(published, "zh"), encoding="utf-8")
    return path


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_is_offline_accessible_and_its_tiles_fit_at_desktop_and_phone_widths(
    published: Published,
    chinese_page: Path,
    browser: Any,
    axe_source: str,
    tmp_path: Path,
    lang: str,
    width: int,
) -> None:
    path = published.out / "report.html" if lang == "en" else chinese_page
    page = open_page(browser, path, width)
    assert_offline(page)
    assert page.overflowing(".tile") == []
    assert page.overflowing(".tiles") == []
    # The score table scrolls inside its frame; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot = page.screenshot(tmp_path / f"report-{lang}-{width}.png", width)
    assert shot.stat().st_size > 20_000
    keep(shot)
    assert_accessible(page, axe_source)


def test_on_a_phone_the_unit_name_stays_in_view_while_the_table_scrolls(
    published: Published, browser: Any
) -> None:
    page = open_page(browser, published.out / "report.html", 390)
    wrap = "document.querySelector('#scores .tablewrap')"
    assert page.evaluate(f"{wrap}.scrollWidth > {wrap}.clientWidth"), "the table should scroll at 390 px"
    before = page.evaluate(
        "document.querySelector('#scores-table tbody td.c-unit').getBoundingClientRect().left"
    )
    page.evaluate(f"{wrap}.scrollLeft = {wrap}.scrollWidth")
    after = page.evaluate(
        "document.querySelector('#scores-table tbody td.c-unit').getBoundingClientRect().left"
    )
    amount = page.evaluate(
        "document.querySelector('#scores-table tbody td:last-child').getBoundingClientRect().right"
    )
    assert after == before  # frozen
    assert amount <= 390  # the amount column can be scrolled into view


@pytest.mark.parametrize("width", WIDTHS)
def test_the_data_docs_index_is_offline_accessible_with_its_status_column_filled(
    published: Published, browser: Any, axe_source: str, tmp_path: Path, width: int
) -> None:
    page = open_page(browser, published.out / "validation" / "index.html", width)
    assert_offline(page)
    statuses = page.evaluate(
        "Array.from(document.querySelectorAll('.ge-index-page-validation-results-table tbody tr'))"
        ".map(r => r.cells[0].innerText.trim())"
    )
    assert statuses and set(statuses) <= {"Passed", "Failed"}, statuses
    assert "Failed" in statuses  # the synthetic year plants warnings
    text = page.evaluate("document.body.innerText")
    for marketing in ("Subscribe", "newsletter", "To continue exploring", "autogenerated using"):
        assert marketing not in text
    assert "Asia/Shanghai" in text and " UTC" not in text  # run times in the federation's zone
    assert page.evaluate("getComputedStyle(document.querySelector('.btn')).borderRadius") != "0px"  # styled
    keep(page.screenshot(tmp_path / f"data-docs-index-{width}.png", width))
    assert_accessible(page, axe_source)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_failed_validation_page_names_its_asset_and_the_failing_units(
    published: Published, browser: Any, axe_source: str, tmp_path: Path, width: int
) -> None:
    pages = sorted((published.out / "validation" / "validations" / "submissions" / "warning").rglob("*.html"))
    failed = next(
        p for p in pages if "Failed" in p.read_text(encoding="utf-8") and "year_summary" not in p.name
    )
    page = open_page(browser, failed, width)
    assert_offline(page)
    text = page.evaluate("document.body.innerText")
    assert "Data asset: submissions" in text and "None" not in text.split("Data asset:")[1][:20]
    assert "<DATAFRAME>" not in text
    statuses = page.evaluate(
        "Array.from(document.querySelectorAll('.ge-section:not(#section-1) table.table > tbody > tr"
        " > td:first-child')).map(td => td.innerText.trim())"
    )
    assert statuses and all(s in ("Passed", "Failed") for s in statuses), statuses
    assert "unit_id" in text and re.search(r"BT-[CX]-\d{4}", text.split("unit_id", 1)[1])
    keep(page.screenshot(tmp_path / f"data-docs-validation-{width}.png", width))
    assert_accessible(page, axe_source)


def test_axe_does_find_a_serious_violation_when_there_is_one(
    browser: Any, axe_source: str, tmp_path: Path
) -> None:
    # The accessibility checks above can fail: an image without text and a nameless button.
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="data:,"><button></button></body></html>', "utf-8")
    page = open_page(browser, bad, 1400)
    assert {v["id"] for v in page.axe(axe_source) if v["impact"] in ("serious", "critical")} >= {
        "image-alt",
        "button-name",
    }


def test_the_page_sorts_filters_and_makes_no_network_request_in_chromium(
    published: Published, browser: Any, tmp_path: Path
) -> None:
    scores = read_csv(published.out / "scores.csv")
    page = open_page(browser, published.out / "report.html", 1400)
    rows = page.evaluate("document.querySelectorAll('#scores-table tbody tr').length")
    assert rows == len(scores)
    column = """(key) => Array.from(document.querySelectorAll('#scores-table tbody tr'))
        .map(r => r.cells[Array.from(r.parentNode.parentNode.tHead.rows[0].cells)
        .findIndex(th => th.dataset.key === key)].dataset.v)"""
    initial = page.evaluate(f"({column})('unit')")

    # First click on a score column: highest first, units without a score last.
    page.click("#scores-table th[data-key='peer']")
    peer = page.evaluate(f"({column})('peer')")
    numbers = [float(v) for v in peer if v]
    assert numbers == sorted(numbers, reverse=True)
    assert all(not v for v in peer[len(numbers) :])
    assert page.evaluate(f"({column})('unit')") != initial, "clicking the header must reorder the rows"
    assert page.evaluate("document.querySelector(\"th[data-key='peer']\").getAttribute('aria-sort')") == (
        "descending"
    )

    # A second click reverses it; blanks stay last.
    page.click("#scores-table th[data-key='peer']")
    ascending = [float(v) for v in page.evaluate(f"({column})('peer')") if v]
    assert ascending == sorted(ascending)

    # Sorting by rank gives back the published order (rank, then unit_id for ties).
    page.click("#scores-table th[data-key='rank']")
    order = page.evaluate(
        "Array.from(document.querySelectorAll('#scores-table tbody tr')).map(r => r.dataset.unit)"
    )
    ranked = [r["unit_id"] for r in scores if r["rank"]]
    assert order[: len(ranked)] == ranked

    # The grade filter shows only that grade, and the counter says so.
    page.evaluate(
        "(() => { const s = document.getElementById('f-grade'); s.value = 'excellent';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    visible = page.evaluate(
        "Array.from(document.querySelectorAll('#scores-table tbody tr')).filter(r => !r.hidden).length"
    )
    assert visible == sum(r["grade"] == "excellent" for r in scores) > 0
    assert f"{visible} of {len(scores)}" in page.evaluate("document.getElementById('f-count').textContent")

    # The unit named like a script is shown as text, and no script ran from it.
    assert page.evaluate("document.body.textContent.includes('<script>alert(1)</script>')")
    assert page.evaluate("document.querySelectorAll('script').length") == 1

    # No network: the only request is the page itself; nothing was blocked or failed.
    urls = [r["request"]["url"] for r in page.requests]
    assert urls == [(published.out / "report.html").as_uri()], urls
    assert page.failures == []
    assert page.csp_violations() == []


# --------------------------------------------------------------------------------------------------
# Without a browser


def test_a_unit_named_like_a_script_is_escaped_text(published: Published) -> None:
    html = (published.out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT_NAME not in html
    assert html.count("<script>") == 1  # the page's own sorting script, nothing else


def test_the_page_is_self_contained(published: Published) -> None:
    html = (published.out / "report.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in html
    # Nothing that would load a resource: no external links, sources, stylesheets or CSS URLs.
    for needle in ('href="http', "href='http", "src=", "<link", "@import", "<iframe", "fetch("):
        assert needle not in html, needle
    # url(…) only as a reference to a pattern inside the page (the charts' hatching), never a file.
    assert re.findall(r"url\((?!#uf-hatch-)", html) == []
    assert html.count("<svg") == 3  # distribution, by grade, by level


def test_headline_figures_match_the_published_files(published: Published) -> None:
    html = (published.out / "report.html").read_text(encoding="utf-8")
    allocations = read_csv(published.out / "allocations.csv")
    *units, total = allocations
    assert f'data-figure="registered">{len(units):,}<' in html
    assert f'data-figure="allocated">{int(total["amount_cny"]):,}<' in html
    quarantined = len(read_csv(published.out / "quarantine.csv"))
    assert f'data-figure="quarantined">{quarantined:,}<' in html


def test_the_validation_box_says_what_passed_what_warned_and_what_blocked(published: Published) -> None:
    html = (published.out / "report.html").read_text(encoding="utf-8")
    assert 'data-state="warned"' in html
    assert "29 of 30 checks passed; 1 warnings to review (they do not block publication)" in html
    assert "Trainees per employee at most 20: 1 of 200 rows: BT-X-0047 (50)" in html
    assert "All 30 validation checks passed" not in html
    assert 'href="validation/index.html"' in html
    with open_warehouse(published.db, read_only=True) as conn:
        data = load_report_data(conn, YEAR, published.run_id)
    assert "Validation not run." in render_html(data)
    blocked = render_html(replace(data, validation=ValidationSummary(checks=30, blocking=[WARNING])))
    assert 'data-state="failed"' in blocked and "1 blocking failures stopped publication" in blocked
    passed = render_html(replace(data, validation=ValidationSummary(checks=30)))
    assert 'data-state="passed"' in passed and "All 30 validation checks passed" in passed


def test_grade_colours_stay_apart_in_grayscale() -> None:
    # Luminance alone must tell the grades of the histogram apart (a grayscale print).
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    levels = [luminance(GRADE_COLOURS[g]) for g in ("excellent", "good", "pass", "fail")]
    assert all(b - a >= 0.15 for a, b in itertools.pairwise(levels)), levels
    assert "good" in HATCHED


def test_chinese_labels_grades_and_reasons(published: Published) -> None:
    html = render(published, "zh")
    for label in ("考核得分表", "总分分布", "按等级分配", "优秀", "不合格", "无有效申报", "互评异常提示"):
        assert label in html, label
    for english in ("Score table", "Headline figures", ">excellent<"):
        assert english not in html, english


def test_large_years_show_the_top_n_with_a_note(published: Published) -> None:
    html = render(published, top_n=10)
    assert html.count("<tr data-grade=") == 10
    assert "the full list is in report.xlsx" in html


def test_rendering_is_deterministic(published: Published) -> None:
    assert render(published) == render(published)
