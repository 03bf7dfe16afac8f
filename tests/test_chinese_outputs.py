"""One vocabulary in two languages: every human output rendered in Chinese holds no English code or
label, and the catalogue covers every code the system produces."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from expectations.derived import KEYS
from expectations.rules import RULES
from expectations.suites import load_suite_spec
from flows.cli.publication import notice_command
from flows.summary import print_outcome
from tasks.reports import feedback_inputs, load_report_data
from tests.conftest import YEAR
from tests.test_report_html import VALIDATION, published_year
from unionflow.assessment.config import ALLOCATION_METHODS, PEER_METHODS, RATES
from unionflow.reports.catalogue import GRADE_ORDER, _sections, english_vocabulary
from unionflow.reports.feedback import CRITERIA, write_feedback
from unionflow.reports.html import render_html
from unionflow.reports.xlsx import write_xlsx
from warehouse import allocation_runs
from warehouse.connection import open_warehouse

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]

#: Vocabularies whose codes must never show in a Chinese output.
CODE_SECTIONS = (
    "grade", "reason", "level", "flag", "status", "method", "rule", "record_kind", "decision",
    "severity", "batch", "check", "criterion", "rate", "header",
)  # fmt: skip
#: English that a Chinese reader does see, on purpose: product and file names, SPEC's sheet names.
ALLOWED = ("unionflow", "Data Docs", "SHA-256", "Scores", "Flags")
#: Workbook columns holding data, not words: ids, names, where a record came from, and the
#: contract's own message (it quotes the received values; labelled untranslated).
DATA_HEADERS = (
    "试点单位编号",
    "单位名称",
    "来源位置",
    "评审单位编号",
    "评审单位名称",
    "被评单位编号",
    "被评单位名称",
    "原始信息（未翻译）",
)


class _Text(HTMLParser):
    """Visible text of a page, plus the attributes a reader meets (title, placeholder, aria-label)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label", "alt") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_left(text: str, data: list[str]) -> list[str]:
    """Known English codes and labels still in `text` once data (names, ids, hashes, files) is gone."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"[0-9a-f]{16,}", " ", text)  # hashes
    text = re.sub(r"[\w./-]+\.(?:csv|xlsx|html|md)\b", " ", text)  # file names
    text = re.sub(r"\bR\d\d\b", " ", text)  # reviewer pseudonyms
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    vocabulary = english_vocabulary()
    found = set()
    words = set()
    for section in CODE_SECTIONS:
        words |= {w for w in vocabulary[section] if re.fullmatch(r"[A-Za-z_][A-Za-z_ .()/-]*", w)}
    for label in _sections("en")["label"].values():
        words |= {f.strip(" ,.;:()") for f in re.split(r"\{[^}]*\}", label) if len(f.strip(" ,.;:()")) >= 3}
    for word in words:
        if re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])", text):
            found.add(word)
    if "{" in text or "}" in text:
        found.add("an unformatted {placeholder} or a repr")
    return sorted(found)


@pytest.fixture(scope="module")
def chinese(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every human output of the published synthetic year, rendered in Chinese, as text."""
    shared_db, _ = published_year(synthetic_year, tmp_path_factory)
    base = tmp_path_factory.mktemp("zh")
    db = base / "w.duckdb"
    shutil.copyfile(shared_db, db)
    with open_warehouse(db) as conn:
        run = allocation_runs.published_run(conn, YEAR)
        assert run is not None
        run_id = run.allocation_run_id
        data = load_report_data(conn, YEAR, run_id, validation=None)
        feedback = feedback_inputs(conn, YEAR)
    texts: dict[str, str] = {}
    texts["report.html"] = page_text(render_html(replace(data, validation=VALIDATION), "zh"))
    book = openpyxl.load_workbook(
        write_xlsx(base / "report.xlsx", replace(data, validation=VALIDATION), "zh")
    )
    cells = []
    for sheet in book:
        rows = list(sheet.iter_rows(values_only=True))
        skip = {i for i, h in enumerate(rows[0]) if h in DATA_HEADERS} if sheet.title != "Summary" else set()
        cells += [str(v) for row in rows for i, v in enumerate(row) if isinstance(v, str) and i not in skip]
    texts["report.xlsx"] = "\n".join(cells)
    notice = notice_command(YEAR, base / "notice", db, "zh", now=dt.datetime(2026, 1, 20, 1, tzinfo=dt.UTC))
    texts["notice.md"] = notice[0].read_text(encoding="utf-8")
    texts["notice.html"] = page_text(notice[1].read_text(encoding="utf-8"))
    sheets = write_feedback(base / "feedback", feedback, lang="zh")
    texts["feedback"] = "\n".join(page_text(p.read_text(encoding="utf-8")) for p in sheets)
    console = Console(record=True, width=200)
    print_outcome(console, db, YEAR, run_id, lang="zh")
    texts["console"] = console.export_text()
    texts["_data"] = json.dumps(
        [*data.scores["unit_id"], *data.scores["name"], *data.flags["reviewer_unit_id"].dropna()],
        ensure_ascii=False,
    )
    return texts


@pytest.mark.parametrize(
    "output", ["report.html", "report.xlsx", "notice.md", "notice.html", "feedback", "console"]
)
def test_a_chinese_output_holds_no_english_code_or_label(chinese: dict[str, str], output: str) -> None:
    data = [str(v) for v in json.loads(chinese["_data"])]
    assert english_left(chinese[output], data) == []
    assert re.search(r"[\u4e00-\u9fff]", chinese[output])  # and it is Chinese


def test_the_check_finds_english_when_there_is_some() -> None:
    # The same check on an English sentence fails: it is not a test that cannot fail.
    assert "excellent" in english_left("等级：excellent", [])
    assert "Score table" in english_left("Score table", [])
    assert english_left("优秀 BT-C-0001 甲单位", ["BT-C-0001", "甲单位"]) == []


def test_both_catalogues_have_the_same_keys() -> None:
    en, zh = _sections("en"), _sections("zh")
    assert set(en) == set(zh)
    for section in en:
        if section == "header":  # English headers are the CSV column names themselves
            continue
        assert set(en[section]) == set(zh[section]), section


def test_the_catalogue_covers_every_code_the_system_produces() -> None:
    zh = _sections("zh")
    checks = {
        e["meta"]["check"]
        for name in (
            "submissions.critical",
            "submissions.warning",
            "reviews.critical",
            "reviews.warning",
            "scores.critical",
        )
        for e in load_suite_spec(name)["expectations"]
    }
    expected = {
        "grade": set(GRADE_ORDER),
        "reason": {"funded", "budget_exhausted", "ineligible"},
        "level": {"city", "county"},
        "flag": {
            "mutual_inflation",
            "flat_reviewer",
            "contrarian",
            "wide_disagreement",
            "insufficient_reviews",
        },
        "status": {"draft", "published", "superseded"},
        "method": set(PEER_METHODS) | set(ALLOCATION_METHODS),
        "rule": set(RULES),
        "rule_help": set(RULES),
        "record_kind": {"unit", "submission", "review"},
        "check": checks,
        "batch": set(KEYS),
        "rate": set(RATES),
        "criterion": set(CRITERIA),
    }
    for section, codes in expected.items():
        assert codes <= set(zh[section]), (section, codes - set(zh[section]))
