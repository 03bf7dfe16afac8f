"""Results never silently stale: `unionflow status` shows each stage and what is stale, and a
stale allocation cannot be published until it is re-scored and re-allocated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli import unionflow
from tests.conftest import YEAR, submission_record
from tests.test_report_html import private_copy, published_year
from warehouse.connection import open_warehouse
from warehouse.freshness import year_status
from warehouse.inputs import accepted_review_scores, accepted_submissions
from warehouse.review_exclusions import decide
from warehouse.score_runs import latest_score_run

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted:UserWarning"),
]


def states(db: Path) -> dict[str, str]:
    with open_warehouse(db, read_only=True) as conn:
        return {stage.stage: stage.state for stage in year_status(conn, YEAR)}


@pytest.fixture
def published(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    db, _ = private_copy(published_year(synthetic_year, tmp_path_factory), tmp_path / "w")
    return db


@pytest.fixture
def year_source(synthetic_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source folder the published year was collected from (read it only)."""
    return published_year(synthetic_year, tmp_path_factory)[0].parent / "source"


def exclude_one_review(db: Path) -> None:
    """A steward's decision that changes the accepted inputs of scoring."""
    with open_warehouse(db) as conn:
        review_id = str(accepted_review_scores(conn, YEAR)["review_id"].iloc[0])
        assert decide(conn, YEAR, review_id, "exclude", "duplicate sheet", "steward")


def test_a_published_year_is_current_in_every_stage(published: Path) -> None:
    assert states(published) == {
        "collected": "done",
        "scored": "done",
        "allocated": "done",
        "notice": "missing",
        "published": "done",
    }
    shown = unionflow("status", "--year", str(YEAR), "--db", str(published))
    assert shown.code == 0, shown.stderr
    assert "current: nothing is stale" in shown.stdout


def test_a_stewards_review_exclusion_makes_the_scores_and_what_depends_on_them_stale(published: Path) -> None:
    exclude_one_review(published)
    found = states(published)
    assert (found["scored"], found["allocated"], found["published"]) == ("stale", "stale", "stale")
    shown = unionflow("status", "--year", str(YEAR), "--db", str(published))
    assert shown.code == 0, shown.stderr
    assert "accepted inputs changed since score run" in shown.stdout
    assert "stale: scored, allocated, published" in shown.stdout


def test_publishing_stale_results_is_refused_with_one_line_until_rescored(
    published: Path, tmp_path: Path
) -> None:
    exclude_one_review(published)
    out = str(tmp_path / "out")
    refused = unionflow("publish", "--year", str(YEAR), "--out", out, "--db", str(published))
    assert refused.code == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "is stale" in refused.stderr
    for step in (["score"], ["allocate"]):
        assert unionflow(*step, "--year", str(YEAR), "--db", str(published)).code == 0
    assert states(published)["allocated"] == "done"
    done = unionflow(
        "publish", "--year", str(YEAR), "--out", out, "--db", str(published), "--supersede", "review excluded"
    )
    assert done.code == 0, done.stderr
    assert set(states(published).values()) <= {"done", "missing"}


def test_a_new_score_run_makes_an_older_allocation_stale(published: Path) -> None:
    assert (
        unionflow(
            "score", "--year", str(YEAR), "--db", str(published), "--config", str(_other_config(published))
        ).code
        == 0
    )
    found = states(published)
    assert found["scored"] == "done" and found["allocated"] == "stale"


def _other_config(db: Path) -> Path:
    config = db.parent / "other.toml"
    config.write_text('version = 1\n[peer]\nmethod = "median"\n', encoding="utf-8")
    return config


def releasable_late_submission(db: Path) -> int:
    """A quarantined submission of the year whose only rule is `late`: releasing it accepts it."""
    with open_warehouse(db, read_only=True) as conn:
        rows = conn.sql(
            "select quarantine_id from quarantine where record_kind = 'submission' and year = ? "
            "group by quarantine_id having string_agg(distinct rule, ';') = 'late' order by 1",
            params=[YEAR],
        ).fetchall()
    assert rows, "the synthetic year plants late submissions"
    return int(rows[0][0])


def release(db: Path, quarantine_id: int) -> None:
    done = unionflow("quarantine", "release", str(quarantine_id), "--reason", "extension", "--db", str(db))
    assert done.code == 0 and "now accepted" in done.stdout, done.stdout + done.stderr


def assert_stale_from_the_scores(db: Path) -> None:
    found = states(db)
    assert (found["scored"], found["allocated"], found["published"]) == ("stale", "stale", "stale")
    shown = unionflow("status", "--year", str(YEAR), "--db", str(db))
    assert shown.code == 0, shown.stderr
    assert "stale: scored, allocated, published" in shown.stdout


def rescore(db: Path) -> None:
    for step in ("score", "allocate"):
        assert unionflow(step, "--year", str(YEAR), "--db", str(db)).code == 0


def test_a_stewards_release_makes_the_scores_and_what_depends_on_them_stale(published: Path) -> None:
    release(published, releasable_late_submission(published))
    assert_stale_from_the_scores(published)


def test_rejecting_a_released_record_makes_the_rescored_results_stale_again(published: Path) -> None:
    quarantine_id = releasable_late_submission(published)
    release(published, quarantine_id)
    rescore(published)
    assert (states(published)["scored"], states(published)["allocated"]) == ("done", "done")
    rejected = unionflow(
        "quarantine", "reject", str(quarantine_id), "--reason", "no extension", "--db", str(published)
    )
    assert rejected.code == 0, rejected.stderr
    found = states(published)
    assert (found["scored"], found["allocated"]) == ("stale", "stale")


def test_a_new_collection_that_changes_the_accepted_inputs_makes_the_scores_stale(
    published: Path, year_source: Path, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    shutil.copytree(year_source, source)
    with open_warehouse(published, read_only=True) as conn:
        unit = str(accepted_submissions(conn, YEAR)["unit_id"].iloc[0])
    corrected = submission_record(
        submission_id="S2025-999999", unit_id=unit, submitted_at="2026-01-10T10:00:00+08:00"
    )
    (source / "submissions" / "single-S2025-999999.json").write_text(json.dumps(corrected), encoding="utf-8")
    collected = unionflow("collect", "--year", str(YEAR), "--source", str(source), "--db", str(published))
    assert collected.code == 0, collected.stderr
    assert_stale_from_the_scores(published)


def test_collecting_the_same_source_again_leaves_the_results_current(
    published: Path, year_source: Path
) -> None:
    again = unionflow("collect", "--year", str(YEAR), "--source", str(year_source), "--db", str(published))
    assert again.code == 0, again.stderr
    assert set(states(published).values()) <= {"done", "missing"}


def test_run_after_a_stale_making_action_rescores_and_publishes_current_results(
    published: Path, year_source: Path, tmp_path: Path
) -> None:
    exclude_one_review(published)
    with open_warehouse(published, read_only=True) as conn:
        stale_run = latest_score_run(conn, YEAR)
    ran = unionflow(
        "run", "--year", str(YEAR), "--source", str(year_source), "--out", str(tmp_path / "out"),
        "--db", str(published), "--supersede", "review excluded",
    )  # fmt: skip
    assert ran.code == 0, ran.stderr
    assert set(states(published).values()) <= {"done", "missing"}
    with open_warehouse(published, read_only=True) as conn:
        fresh = latest_score_run(conn, YEAR)
        published_from = conn.sql(
            "select score_run_id from allocation_runs where year = ? and status = 'published'", params=[YEAR]
        ).fetchall()
    assert stale_run is not None and fresh is not None
    assert fresh.score_run_id != stale_run.score_run_id and published_from == [(fresh.score_run_id,)]
