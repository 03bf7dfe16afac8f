"""A steward's decision tells a configured Prefect server (flows/events.py), so that the `rescore`
deployment re-scores the year; the server here is a real HTTP server on 127.0.0.1 that records
what it is sent (the real Prefect server's trigger is tested in tests/test_prefect_server.py)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flows.events import DECISION_EVENT
from tests.cli import unionflow
from tests.conftest import YEAR
from warehouse.connection import open_warehouse
from warehouse.inputs import accepted_review_scores


class Recorder(BaseHTTPRequestHandler):
    """Answers POST /api/events with 204, as Prefect does, and keeps the events."""

    received: list[tuple[str, Any]]

    def do_POST(self) -> None:  # http.server's name for the handler
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return


@pytest.fixture
def events_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """A recording server configured as the Prefect API of the commands run in this test."""
    handler = type("Handler", (Recorder,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{server.server_port}/api")
    try:
        yield handler.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def db(loaded_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "w.duckdb"
    shutil.copy(loaded_db, copy)
    return copy


def a_review(db: Path) -> str:
    with open_warehouse(db, read_only=True) as conn:
        return str(accepted_review_scores(conn, YEAR)["review_id"].iloc[0])


def exclude(db: Path, review_id: str) -> Any:
    return unionflow(
        "review", "exclude", review_id, "--year", str(YEAR), "--reason", "duplicate", "--by", "li",
        "--db", str(db),
    )  # fmt: skip


def test_a_review_exclusion_posts_one_event_naming_the_year_and_the_warehouse(
    events_api: list[tuple[str, Any]], db: Path
) -> None:
    review_id = a_review(db)
    done = exclude(db, review_id)
    assert done.code == 0, done.stderr
    assert "rescore deployment re-scores" in done.stdout
    ((path, [event]),) = events_api
    assert path == "/api/events"
    assert event["event"] == DECISION_EVENT
    assert event["resource"]["prefect.resource.id"] == f"unionflow.year.{YEAR}"
    assert event["payload"] == {
        "year": YEAR,
        "decision": "exclude",
        "subject": f"review {review_id}",
        "by": "li",
        "db": str(db.resolve()),
    }


def test_a_decision_that_changes_nothing_posts_no_event(events_api: list[tuple[str, Any]], db: Path) -> None:
    review_id = a_review(db)
    assert exclude(db, review_id).code == 0
    again = exclude(db, review_id)
    assert again.code == 0 and "nothing recorded" in again.stdout
    assert len(events_api) == 1


def test_an_unreachable_server_is_one_warning_and_the_decision_stands(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens on port 9
    done = exclude(db, a_review(db))
    assert done.code == 0
    assert done.stderr.count("\n") == 1 and "could not tell the Prefect server" in done.stderr
    assert "excluded from scoring" in done.stdout
