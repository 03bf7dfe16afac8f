"""Failure alerts reach a real local webhook, carry what an administrator needs, and never raise."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from prefect import flow

from flows.alerts import notify_failure, send_alert

pytestmark = pytest.mark.usefixtures("prefect_harness")


class Receiver:
    """A tiny HTTP server on 127.0.0.1 recording the JSON bodies POSTed to it."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(json.loads(body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/unionflow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with Receiver() as running:
        monkeypatch.setenv("UNIONFLOW_ALERT_WEBHOOK", running.url)
        yield running


@flow(name="alerting-test-flow", on_failure=[notify_failure])
def failing_flow(year: int, token_hint: str = "") -> None:
    raise RuntimeError(f"the portal refused the request {token_hint}".strip())


@flow(name="alerting-test-model-flow", on_failure=[notify_failure])
def failing_model_flow(params: dict[str, Any]) -> None:
    raise ValueError("no accepted submissions")


def test_a_failed_flow_posts_flow_error_year_and_link(receiver: Receiver) -> None:
    state = failing_flow(year=2025, return_state=True)
    assert state.is_failed()
    assert len(receiver.received) == 1
    alert = receiver.received[0]
    assert alert["flow"] == "alerting-test-flow"
    assert "the portal refused the request" in alert["error"]
    assert alert["year"] == 2025
    assert alert["state"] == "Failed"
    assert alert["flow_run_id"] in alert["link"]
    assert alert["link"].startswith("http")


def test_the_year_is_found_inside_a_parameter_model_and_resolved(receiver: Receiver) -> None:
    failing_model_flow(params={"year": "previous", "source": "x"}, return_state=True)
    alert = receiver.received[0]
    assert isinstance(alert["year"], int) and alert["year"] >= 2024
    assert "source" not in json.dumps(alert)  # only the year of the parameters is sent


def test_the_portal_token_never_reaches_the_webhook(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONFLOW_PORTAL_TOKEN", "s3cret-portal-token")
    failing_flow(year=2025, token_hint="with token s3cret-portal-token", return_state=True)
    body = json.dumps(receiver.received)
    assert "s3cret-portal-token" not in body
    assert "***" in receiver.received[0]["error"]


def test_without_a_webhook_the_failure_is_only_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNIONFLOW_ALERT_WEBHOOK", raising=False)
    state = failing_flow(year=2025, return_state=True)
    assert state.is_failed()
    assert "the portal refused the request" in str(state.message)


def test_a_broken_webhook_never_raises() -> None:
    with Receiver(status=500) as failing:
        assert send_alert({"flow": "x"}, webhook=failing.url) is False
        assert failing.received == [{"flow": "x"}]
    assert send_alert({"flow": "x"}, webhook="http://127.0.0.1:9/nothing-listens") is False
