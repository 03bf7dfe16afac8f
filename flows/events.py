"""Steward decisions announced to a Prefect server, whose `rescore` deployment then re-scores.

A release, a reject or a review exclusion changes the accepted inputs of a year, which makes its
scores and allocation stale (`warehouse.freshness`). When a Prefect server is in use
(`PREFECT_API_URL`, in the environment or the active profile), the command that recorded the
decision posts one event naming the year; prefect.yaml's `rescore` deployment has a trigger
expecting it and re-runs score and allocate for that year as a draft (never a publication).

The event is one HTTP POST to the server's `/events` endpoint, not `prefect.events.emit_event`:
the steward commands are fast paths that import no Prefect (tests/test_cli_imports.py), and
Prefect's client would cost seconds of imports and a websocket for one message. Without a
configured server nothing is sent and nothing is imported: the steward re-scores by hand, as
the command's message says.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.warm_start import configured_api_url

#: The event the `rescore` deployment's trigger expects (prefect.yaml).
DECISION_EVENT = "unionflow.steward.decision"
#: A steward is waiting at the prompt: a server that does not answer in this time is reported.
POST_TIMEOUT_SECONDS = 5.0


def year_resource(year: int) -> str:
    """The resource id of a year's results, which the trigger matches (`unionflow.year.*`)."""
    return f"unionflow.year.{year}"


def decision_event(
    year: int,
    decision: str,
    subject: str,
    by: str,
    db: Path,
    *,
    now: dt.datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The event for one decision, in the JSON shape of Prefect's events API.

    The payload carries the year as a number and the warehouse as an absolute path: the trigger
    passes both to the deployment's parameters (a year given as text would fail its strict type).
    """
    return {
        "id": str(event_id or uuid.uuid4()),
        "occurred": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "event": DECISION_EVENT,
        "resource": {
            "prefect.resource.id": year_resource(year),
            "prefect.resource.name": f"unionflow {year}",
            "unionflow.year": str(year),
        },
        "related": [],
        "payload": {
            "year": year,
            "decision": decision,
            "subject": subject,
            "by": by,
            "db": str(db.resolve()),
        },
    }


@dataclass(frozen=True)
class Announcement:
    """What became of the event: sent to `api`, or why not (`problem`, one line for stderr)."""

    api: str
    problem: str | None = None

    def line(self) -> str:
        """One line for the steward."""
        if self.problem is not None:
            return (
                f"warning: could not tell the Prefect server at {self.api} ({self.problem}); re-score by hand"
            )
        return (
            f"told the Prefect server at {self.api} ({DECISION_EVENT}): its rescore deployment re-scores "
            "and re-allocates the year as a draft"
        )


def _headers() -> dict[str, str]:
    """The credentials Prefect's own client would send (a server with basic auth, or Prefect Cloud)."""
    if key := os.environ.get("PREFECT_API_KEY"):
        return {"Authorization": f"Bearer {key}"}
    if auth := os.environ.get("PREFECT_API_AUTH_STRING"):
        return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
    return {}


def announce_decision(
    year: int | None, decision: str, subject: str, by: str, db: Path
) -> Announcement | None:
    """Post the decision's event to the configured Prefect server; None when there is none to tell.

    A decision without a year (a registry row concerns every year) is not announced. A server that
    cannot be reached does not undo the decision, which is already recorded: the result says so.
    """
    api = configured_api_url()
    if api is None or year is None:
        return None
    import httpx

    event = decision_event(year, decision, subject, by, db)
    try:
        answer = httpx.post(
            f"{api.rstrip('/')}/events", json=[event], headers=_headers(), timeout=POST_TIMEOUT_SECONDS
        )
    except httpx.HTTPError as error:
        return Announcement(api, type(error).__name__)
    if answer.status_code >= 300:
        return Announcement(api, f"HTTP {answer.status_code}")
    return Announcement(api)
