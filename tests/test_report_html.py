"""report.html: rendered from a published synthetic year and checked in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.annual import annual_assessment
from tasks.reports import write_reports_task
from tests.browser import chromium, find_chromium
from tests.conftest import YEAR
from unionflow.reports.data import ValidationSummary, load_report_data
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


_PUBLISHED: dict[Path, tuple[Path, Path]] = {}


def published_year(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(warehouse, out folder) of one annual run of the synthetic year with the units of RENAMED
    renamed; built once per test session (and xdist worker) for the three report test modules.
    Read it only: `private_copy` it before writing."""
    key = tmp_path_factory.getbasetemp()
    if key not in _PUBLISHED:
        base = tmp_path_factory.mktemp("published")
        source = renamed_source(synthetic_year, base / "source", RENAMED)
        db, out = base / "w.duckdb", base / "out"
        annual_assessment(year=YEAR, source=str(source), out=str(out), db=str(db))
        _PUBLISHED[key] = (db, out)
    return _PUBLISHED[key]


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


VALIDATION = ValidationSummary(
    success=False, lines=["submissions: 41 of 42 expectations met", "reviews: 18 of 18 expectations met"]
)


@pytest.fixture(scope="module")
def published(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A published synthetic year (one unit named like a script) with its reports written."""
    shared = published_year(synthetic_year, tmp_path_factory)
    db, out = private_copy(shared, tmp_path_factory.mktemp("report-html"))
    with open_warehouse(db) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        run_id = int(str(run["allocation_run_id"]))
        files = write_reports_task(conn, YEAR, run_id, out, "en", VALIDATION)
    assert [f.name for f in files] == ["report.html", "report.xlsx"]
    return Published(db, out, run_id)


def render(published: Published, lang: str = "en", **options: int) -> str:
    with open_warehouse(published.db, read_only=True) as conn:
        data = load_report_data(conn, YEAR, published.run_id, VALIDATION)
    return render_html(data, lang, **options)


# --------------------------------------------------------------------------------------------------
# In the browser


def test_the_page_sorts_filters_and_makes_no_network_request_in_chromium(
    published: Published, tmp_path: Path
) -> None:
    executable = find_chromium()
    if executable is None:
        # CI installs Chromium (make test); there a missing browser is a failure, never a skip.
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed although CI runs scripts/install-chromium.sh")
        pytest.skip("chromium is not installed (run scripts/install-chromium.sh to install Debian's)")
    scores = read_csv(published.out / "scores.csv")
    with chromium(executable) as browser:
        page = browser.new_page()
        page.goto((published.out / "report.html").as_uri())

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
        assert f"{visible} of {len(scores)}" in page.evaluate(
            "document.getElementById('f-count').textContent"
        )
        page.evaluate(
            "(() => { const s = document.getElementById('f-grade'); s.value = '';"
            " s.dispatchEvent(new Event('change')); })()"
        )

        # The unit named like a script is shown as text, and no script ran from it.
        assert page.evaluate("document.body.textContent.includes('<script>alert(1)</script>')")
        assert page.evaluate("document.querySelectorAll('script').length") == 1

        # No network: the only request is the page itself; nothing was blocked or failed.
        urls = [r["request"]["url"] for r in page.requests]
        assert urls == [(published.out / "report.html").as_uri()], urls
        assert page.failures == []
        assert page.csp_violations() == []

        shot = page.screenshot(tmp_path / "report.png")
    assert shot.stat().st_size > 20_000
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, ARTIFACTS / "report.png")
    except OSError:
        pass  # a read-only checkout: the copy in tmp_path is enough


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
    for needle in ('href="http', "href='http", "src=", "<link", "url(", "@import", "<iframe", "fetch("):
        assert needle not in html, needle
    assert html.count("<svg") == 3  # distribution, by grade, by level


def test_headline_figures_match_the_published_files(published: Published) -> None:
    html = (published.out / "report.html").read_text(encoding="utf-8")
    allocations = read_csv(published.out / "allocations.csv")
    *units, total = allocations
    assert f'data-figure="registered">{len(units):,}<' in html
    assert f'data-figure="allocated">{int(total["amount_cny"]):,}<' in html
    quarantined = len(read_csv(published.out / "quarantine.csv"))
    assert f'data-figure="quarantined">{quarantined:,}<' in html


def test_validation_summary_and_its_link_are_shown(published: Published) -> None:
    html = (published.out / "report.html").read_text(encoding="utf-8")
    assert "submissions: 41 of 42 expectations met" in html
    assert 'href="validation/index.html"' in html
    with open_warehouse(published.db, read_only=True) as conn:
        data = load_report_data(conn, YEAR, published.run_id)
    assert "Validation not run." in render_html(data)


def test_chinese_labels_grades_and_reasons(published: Published) -> None:
    html = render(published, "zh")
    for label in ("考核得分表", "总分分布", "按等级分配", "优秀", "不合格", "未申报", "互评异常提示"):
        assert label in html, label
    for english in ("Score table", "Headline figures", ">excellent<"):
        assert english not in html, english


def test_large_years_show_the_top_n_with_a_note(published: Published) -> None:
    html = render(published, top_n=10)
    assert html.count("<tr data-grade=") == 10
    assert "the full list is in report.xlsx" in html


def test_rendering_is_deterministic(published: Published) -> None:
    assert render(published) == render(published)
