"""Results never silently stale: `unionflow status` shows each stage and what is stale, and a
stale allocation cannot be published until it is re-scored and re-allocated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import unionflow
from tests.conftest import YEAR
from tests.test_report_html import private_copy, published_year
from warehouse.connection import open_warehouse
from warehouse.freshness import year_status
from warehouse.inputs import accepted_review_scores
from warehouse.review_exclusions import decide

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
