"""Refusals decided before any Prefect import or server start (issue 15: "check before Prefect").

Everything that can refuse a command without running its flow is asked here, on the warehouse
(one short write connection, which also proves it is not locked) or with one probe request to the
portal: a refusal then costs the Python start-up and a query, not a Prefect server. The flows
keep their own checks (deployments and tests call them directly); these only answer earlier,
with the same sentences. Nothing here imports Prefect, nor pandas: the warehouse is read with
DuckDB's own rows (`warehouse.sql.records`), the same statements the flows' readers use.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from unionflow.sources.location import is_portal
from unionflow.sources.payloads import SourceError
from warehouse.connection import open_warehouse
from warehouse.missing import (
    no_active_units,
    no_allocation,
    not_scored,
    nothing_to_allocate,
    nothing_to_score,
)

#: The probe's deadline: a portal that does not accept a connection within it is unreachable.
PROBE_CONNECT_SECONDS = 3.0
PROBE_READ_SECONDS = 5.0


def check_source(source: str) -> None:
    """A folder source must exist; a portal must have a token, accept it and be reachable."""
    if is_portal(source):
        probe_portal(source)
    elif not Path(source).is_dir():
        raise SourceError(f"source folder {source} does not exist")


def probe_portal(base_url: str) -> None:
    """One request to the portal with a short deadline: refuse a missing or refused token and a
    portal that accepts no connection. Anything else (429, 5xx, a slow answer) is left to the
    collection, whose client retries it.

    The token may also live in a Prefect Secret block; that is looked up only when a Prefect API
    is configured (PREFECT_API_URL), since a temporary server holds no blocks worth asking.
    """
    import httpx

    from unionflow.sources.portal_client import API, TOKEN_ENV
    from unionflow.sources.portal_settings import no_token

    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        if os.environ.get("PREFECT_API_URL"):
            return  # the collection resolves the Secret block on the configured server
        raise no_token()
    base = base_url.rstrip("/")
    timeout = httpx.Timeout(PROBE_READ_SECONDS, connect=PROBE_CONNECT_SECONDS)
    try:
        with httpx.Client(base_url=base, timeout=timeout, follow_redirects=False) as client:
            response = client.get(
                f"{API}/units", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"}
            )
    except (httpx.ConnectError, httpx.ConnectTimeout) as problem:
        # The message names the error class only: httpx's text may echo the request.
        raise SourceError(
            f"portal {base} unreachable: {type(problem).__name__} within {PROBE_CONNECT_SECONDS:.0f} s"
        ) from None
    except httpx.TransportError:
        return  # reached but answered badly: the collection's retries decide
    if response.status_code in (401, 403):
        raise SourceError(f"portal refused the token ({response.status_code}): check {TOKEN_ENV}")


def writable(db: Path) -> None:
    """The warehouse can be opened for writing now (exists or can be made; not locked)."""
    with open_warehouse(db):
        pass


def check_scorable(db: Path, year: int) -> None:
    """`score`: the year has active units and at least one accepted submission."""
    from warehouse.sql import first_row, statement

    with open_warehouse(db) as conn:
        if first_row(conn, statement("active_units"), {"year": year}) is None:
            raise no_active_units(year)
        if first_row(conn, statement("accepted_submissions"), {"year": year}) is None:
            raise nothing_to_score(year)


def check_allocatable(db: Path, year: int) -> None:
    """`allocate`: the year has a score run with at least one scored unit."""
    from warehouse.sql import records, statement

    with open_warehouse(db) as conn:
        latest = records(conn, statement("latest_score_run"), {"year": year})
        if not latest:
            raise not_scored(year)
        score_run_id = int(latest[0]["score_run_id"])
        scores = records(conn, statement("scores"), {"id": score_run_id})
        if all(row["total"] is None for row in scores):
            raise nothing_to_allocate(year, score_run_id)


def check_publishable(
    db: Path, year: int, stage: str | None, supersede: str | None, force: str | None
) -> None:
    """`publish`: an allocation exists; a different published run needs --supersede; the final
    stage needs its notice period over and no open objection (or --force)."""
    from warehouse.publication import already_published, final_blockers, final_refusal
    from warehouse.sql import first_row, records, statement

    with open_warehouse(db) as conn:
        latest = first_row(conn, statement("latest_allocation_run_id"), [year])
        if latest is None or latest[0] is None:
            raise no_allocation(year)
        if stage == "notice":
            return
        run_id = int(latest[0])
        if stage == "final" and not (force and force.strip()):
            _, blockers = final_blockers(conn, year, dt.datetime.now(dt.UTC))
            if blockers:
                raise final_refusal(year, blockers)
        current = records(conn, statement("published_allocation_run"), {"year": year})
        previous = int(current[0]["allocation_run_id"]) if current else None
        if previous is not None and previous != run_id and not supersede:
            raise already_published(year, previous, run_id)
