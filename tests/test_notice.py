"""The public notice (公示), objections and the final-publication gate."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flows.allocate import allocate
from flows.cli.publication import notice_command, objection_app
from tasks.notice import write_notice
from tests.conftest import YEAR
from tests.test_report_html import published_year
from unionflow.assessment.config import ConfigError
from unionflow.reports.notice import (
    NoticeSettings,
    load_notice_settings,
    md_text,
    notice_content,
    render_notice_html,
    render_notice_markdown,
)
from warehouse.connection import open_warehouse
from warehouse.objections import ObjectionError, add_objection, list_objections, resolve_objection
from warehouse.publication import (
    Notice,
    PublicationRefused,
    check_final_allowed,
    latest_notice,
    record_final,
)
from warehouse.sql import run

pytestmark = pytest.mark.usefixtures("prefect_harness")

LOCAL = ZoneInfo("Asia/Shanghai")
POSTED = dt.datetime(2026, 1, 20, 9, 30, tzinfo=LOCAL)
DURING = dt.datetime(2026, 2, 2, 23, 59, tzinfo=LOCAL)  # last day of a 14-day period
AFTER = dt.datetime(2026, 2, 3, 0, 0, tzinfo=LOCAL)  # the period closed at midnight
CONTACT = "包头市总工会产改办 王老师 0472-5551234"


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def published(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(warehouse, out folder) of the shared published synthetic year; copy before writing to it."""
    return published_year(synthetic_year, tmp_path_factory)


@pytest.fixture
def db(published: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the published warehouse."""
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(published[0], copy)
    return copy


def post_notice(db: Path, out: Path, now: dt.datetime = POSTED, **settings: object) -> list[Path]:
    with open_warehouse(db) as conn:
        run_id = int(run(conn, "select max(allocation_run_id) from allocation_runs")[0][0])
        return write_notice(conn, YEAR, run_id, out, "en", now, NoticeSettings(**settings))  # type: ignore[arg-type]


def refusal(db: Path, now: dt.datetime, force: str | None = None) -> str | None:
    """The refusal of the final publication at `now` as the CLI words it, or None when allowed."""
    from flows.cli.next_steps import worded

    with open_warehouse(db) as conn:
        try:
            check_final_allowed(conn, YEAR, now, force, forced_by="tester")
        except PublicationRefused as refused:
            return worded(str(refused), refused.next_steps)
    return None


# --------------------------------------------------------------------------------------------------
# The notice files


def test_notice_files_name_year_units_amounts_period_and_contact(
    published: tuple[Path, Path], db: Path, tmp_path: Path
) -> None:
    settings = tmp_path / "notice.toml"
    settings.write_text(f'[notice]\nobjection_days = 10\ncontact = "{CONTACT}"\n', encoding="utf-8")
    files = notice_command(YEAR, tmp_path / "out", db, "en", notice_config=settings, now=POSTED)
    assert [f.name for f in files] == ["notice.md", "notice.html"]
    md, page = (f.read_text(encoding="utf-8") for f in files)
    allocations = read_csv(published[1] / "allocations.csv")
    funded = [r for r in allocations[:-1] if r["reason"] == "funded"]
    assert funded
    for text, escape in ((md, md_text), (page, html.escape)):
        assert "2025" in text
        assert "2026-01-20 to 2026-01-29 (10 days)" in text
        assert CONTACT in text
        assert f"{int(allocations[-1]['amount_cny']):,}" in text  # the total allocated
        for row in funded:
            assert escape(row["name"]) in text, row["name"]
            assert row["unit_id"] in text
        assert f"{int(funded[0]['amount_cny']):,}" in text
    assert "default-src 'none'" in page
    # Every funded unit is one row of the funded table, with its amount.
    assert md.count(" | funded |") == 0  # reasons only in the "other units" table
    for row in funded[:5]:
        assert f"| {row['unit_id']} |" in md


def test_chinese_notice(db: Path, tmp_path: Path) -> None:
    notice_command(YEAR, tmp_path, db, "zh", now=POSTED)
    md = (tmp_path / "notice.md").read_text(encoding="utf-8")
    page = (tmp_path / "notice.html").read_text(encoding="utf-8")
    for text in (md, page):
        assert "关于2025年度产改试点单位考核奖补资金分配结果的公示" in text
        assert "2026年1月20日至2026年2月2日（14天）" in text
        assert "拟奖补单位名单" in text and "优秀" in text


def test_names_are_escaped_in_markdown_and_html() -> None:
    allocations = pd.DataFrame(
        {
            "year": [YEAR, YEAR],
            "unit_id": ["BT-C-0001", "BT-C-0002"],
            "name": ["<script>alert(1)</script>", "a|b *c* [x](http://y)"],
            "total": [90.0, 50.0],
            "grade": ["excellent", "fail"],
            "amount_cny": [20000, 0],
            "reason": ["funded", "ineligible"],
        }
    )
    notice = Notice(
        YEAR, 1, dt.date(2026, 1, 20), dt.date(2026, 2, 2), AFTER, CONTACT, POSTED.astimezone(dt.UTC)
    )
    content = notice_content(
        allocations, {"BT-C-0001": "city", "BT-C-0002": "county"}, notice, 1_000_000, "en",
        NoticeSettings(),
    )  # fmt: skip
    md, page = render_notice_markdown(content), render_notice_html(content)
    assert "<script>alert" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert r"a\|b \*c\* \[x\](http://y)" in md
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_posting_the_same_run_again_keeps_its_period(db: Path, tmp_path: Path) -> None:
    post_notice(db, tmp_path, POSTED)
    post_notice(db, tmp_path, POSTED + dt.timedelta(days=9))
    with open_warehouse(db, read_only=True) as conn:
        notice = latest_notice(conn, YEAR)
        stages = run(conn, "select count(*) from publication_stages where stage = 'notice'")
    assert notice is not None and notice.period_start == dt.date(2026, 1, 20)
    assert stages == [(1,)]


def test_notice_settings_are_strict(tmp_path: Path) -> None:
    assert load_notice_settings(None).objection_days == 14
    bad = tmp_path / "bad.toml"
    bad.write_text("[notice]\nobjection_dayz = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"notice\.objection_dayz"):
        load_notice_settings(bad)
    bad.write_text("[notice]\nobjection_days = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="objection_days"):
        load_notice_settings(bad)


# --------------------------------------------------------------------------------------------------
# The final-publication gate


def test_final_is_refused_without_a_notice_and_while_the_period_is_open(db: Path, tmp_path: Path) -> None:
    message = refusal(db, AFTER)
    assert message is not None and "no public notice" in message and "--force REASON" in message
    assert f"run `unionflow publish --year {YEAR} --stage notice` first or pass --force REASON" in message
    post_notice(db, tmp_path)
    message = refusal(db, DURING)
    assert message is not None and "objection period is open until 2026-02-02" in message
    assert "\n" not in message
    assert refusal(db, AFTER) is None


def test_final_is_refused_while_an_objection_is_unresolved(db: Path, tmp_path: Path) -> None:
    post_notice(db, tmp_path)
    with open_warehouse(db) as conn:
        first = add_objection(conn, YEAR, "BT-C-0001", "indicator data misread", filed_by="a", now=POSTED)
        second = add_objection(conn, YEAR, "BT-C-0002", "reviewer conflict", filed_by="b", now=POSTED)
    message = refusal(db, AFTER)
    assert message is not None and f"2 objection(s) unresolved (id {first}, {second})" in message
    with open_warehouse(db) as conn:
        resolve_objection(conn, first, "dismissed", "figures checked", resolved_by="steward", now=AFTER)
    assert refusal(db, AFTER) is not None
    with open_warehouse(db) as conn:
        resolve_objection(conn, second, "dismissed", "no conflict", resolved_by="steward", now=AFTER)
    assert refusal(db, AFTER) is None


def test_force_allows_the_final_and_is_recorded(db: Path, tmp_path: Path) -> None:
    post_notice(db, tmp_path)
    with open_warehouse(db) as conn:
        add_objection(conn, YEAR, "BT-C-0001", "late objection", filed_by="a", now=POSTED)
    assert refusal(db, DURING) is not None
    assert refusal(db, DURING, force="leadership meeting decided on 2026-02-01") is None
    with open_warehouse(db) as conn:
        record_final(conn, YEAR, 1, DURING, "leadership meeting decided on 2026-02-01")
        overrides = run(
            conn, "select year, allocation_run_id, blockers, reason, forced_by from publication_overrides"
        )
        finals = run(conn, "select stage, force_reason from publication_stages where stage = 'final'")
    assert len(overrides) == 1
    year, run_id, blockers, reason, forced_by = overrides[0]
    assert (year, run_id, reason, forced_by) == (
        YEAR,
        1,
        "leadership meeting decided on 2026-02-01",
        "tester",
    )
    assert "objection period is open" in blockers and "unresolved" in blockers
    assert finals == [("final", "leadership meeting decided on 2026-02-01")]


def test_an_upheld_objection_needs_a_new_draft_run_and_a_new_notice(db: Path, tmp_path: Path) -> None:
    post_notice(db, tmp_path)
    with open_warehouse(db) as conn:
        objection = add_objection(conn, YEAR, "BT-C-0001", "honours not counted", filed_by="a", now=POSTED)
        resolve_objection(conn, objection, "upheld", "two honours missing", resolved_by="steward", now=POSTED)
    message = refusal(db, AFTER)
    assert message is not None and f"objection(s) {objection} were upheld against run 1" in message
    allocate(year=YEAR, db=str(db), budget=990_000)  # the corrected draft
    message = refusal(db, AFTER)
    assert message is not None and "the notice shows allocation run 1, not the latest run 2" in message
    later = AFTER + dt.timedelta(days=3)
    post_notice(db, tmp_path, later)
    assert refusal(db, later + dt.timedelta(days=13)) is not None
    assert refusal(db, later + dt.timedelta(days=14)) is None


# --------------------------------------------------------------------------------------------------
# The objection commands


def test_objection_commands_add_list_and_resolve_with_an_audit_trail(db: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    app.add_typer(objection_app, name="objection")
    runner = CliRunner()
    post_notice(db, tmp_path, dt.datetime.now(dt.UTC))

    added = runner.invoke(
        app,
        ["objection", "add", "--year", str(YEAR), "--unit", "BT-C-0001",
         "--reason", "[bold]score[/bold] wrong", "--by", "张三", "--db", str(db)],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "objection 1 filed against BT-C-0001 for 2025" in added.output

    listed = runner.invoke(app, ["objection", "list", "--year", str(YEAR), "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "[bold]score[/bold] wrong" in listed.output  # user text, never read as Rich markup
    assert "BT-C-0001" in listed.output and "open" in listed.output and "张三" in listed.output

    resolved = runner.invoke(
        app,
        ["objection", "resolve", "1", "--outcome", "upheld", "--note", "honours recounted", "--by", "steward",
         "--db", str(db)],
    )  # fmt: skip
    assert resolved.exit_code == 0, resolved.output
    assert "upheld" in resolved.output and "a new draft allocation will be made" in resolved.output

    with open_warehouse(db, read_only=True) as conn:
        row = list_objections(conn, YEAR).iloc[0]
    assert (row["status"], row["filed_by"], row["resolved_by"], row["note"]) == (
        "upheld", "张三", "steward", "honours recounted",
    )  # fmt: skip
    assert row["reason"] == "[bold]score[/bold] wrong"
    assert pd.notna(row["filed_at"]) and pd.notna(row["resolved_at"])

    again = runner.invoke(
        app, ["objection", "resolve", "1", "--outcome", "dismissed", "--note", "x", "--db", str(db)]
    )
    assert isinstance(again.exception, ObjectionError) and "already resolved (upheld)" in str(again.exception)
    unknown = runner.invoke(
        app,
        ["objection", "add", "--year", str(YEAR), "--unit", "NO-SUCH-UNIT", "--reason", "x", "--db", str(db)],
    )  # fmt: skip
    assert isinstance(unknown.exception, ObjectionError)
    bad = runner.invoke(
        app, ["objection", "resolve", "1", "--outcome", "maybe", "--note", "x", "--db", str(db)]
    )
    assert isinstance(bad.exception, ObjectionError)


def test_units_of_one_amount_are_listed_by_total_not_by_id() -> None:
    allocations = pd.DataFrame(
        {
            "unit_id": ["A-001", "B-002", "C-003", "D-004"],
            "name": ["甲", "乙", "丙", "丁"],
            "total": [80.0, 92.5, 86.0, 70.0],
            "grade": ["good", "excellent", "excellent", "pass"],
            "amount_cny": [20_000, 20_000, 20_000, 0],
            "reason": ["funded", "funded", "funded", "ineligible"],
        }
    )
    notice = Notice(YEAR, 1, POSTED.date(), POSTED.date(), POSTED, CONTACT, POSTED)
    content = notice_content(allocations, {}, notice, 60_000, "en", NoticeSettings())
    assert [r["unit_id"] for r in content.funded] == ["B-002", "C-003", "A-001"]


def test_publish_stage_notice_echoes_the_period_and_the_contact(db: Path, tmp_path: Path) -> None:
    from tests.cli import unionflow

    settings = tmp_path / "notice.toml"
    settings.write_text(f'[notice]\nobjection_days = 7\ncontact = "{CONTACT}"\n', encoding="utf-8")
    out = tmp_path / "out"
    posted = unionflow(
        "publish", "--year", str(YEAR), "--out", str(out), "--stage", "notice", "--db", str(db),
        "--notice-config", str(settings),
    )  # fmt: skip
    assert posted.code == 0, posted.stderr
    with open_warehouse(db, read_only=True) as conn:
        notice = latest_notice(conn, YEAR)
    assert notice is not None
    start, end = notice.period_start.isoformat(), notice.period_end.isoformat()
    assert f"objection period: {start} to {end} inclusive (7 days;" in posted.stdout
    assert "Asia/Shanghai" in posted.stdout
    assert f"contact: {CONTACT}" in posted.stdout
    assert (out / "notice.md").is_file()


def test_publish_notice_then_final_refused_then_forced_through_the_command_line(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real publish flow end to end: post the notice; the final is refused while its period
    is open (one line, before any flow); with --force it publishes, recorded under the steward's
    identity resolved the one way ($UNIONFLOW_USER)."""
    from tests.cli import unionflow

    monkeypatch.setenv("UNIONFLOW_USER", "王主任")
    out = tmp_path / "out"
    common = ("publish", "--year", str(YEAR), "--out", str(out), "--db", str(db))
    posted = unionflow(*common, "--stage", "notice")
    assert posted.code == 0, posted.stderr
    refused = unionflow(*common, "--stage", "final")
    assert refused.code == 2
    assert refused.stderr.count("\n") == 1 and "objection period is open" in refused.stderr, refused.stderr
    assert "--force REASON" in refused.stderr
    reason = "leadership meeting decided on 2026-02-01"
    forced = unionflow(*common, "--stage", "final", "--force", reason)
    assert forced.code == 0, forced.stderr
    assert (out / "scores.csv").is_file() and (out / "report.html").is_file()
    with open_warehouse(db, read_only=True) as conn:
        overrides = run(conn, "select reason, forced_by from publication_overrides")
        finals = run(conn, "select stage, force_reason from publication_stages where stage = 'final'")
    assert overrides == [(reason, "王主任")]
    assert finals == [("final", reason)]
