"""The reference portal: a FastAPI app serving a source folder through the API of SPEC section 6.

Every record of the folder is served as `item_of_payload(payload)`, so a client that lands
`payload_text(item)` stores exactly the text the folder source stores (same SHA-256, same replays).
The folder is one year's source: submissions and reviews are served whatever their `year` field
says, so a wrong-year record reaches quarantine over HTTP exactly as it does from the folder.

Each served record has a synthetic update time, `UPDATE_EPOCH + (position + 1) seconds`, where the
position is its place in the folder's receipt order for its kind. Times therefore grow in serving
order, so `updated_since` (exclusive) selects a suffix of the stream and new files that sort last
are "updated" after everything served before. Every page carries `updated_through`, the update time
of its last item (an extension the collector uses to remember where an incremental run stopped),
and `refs`, each item's place in the source folder (`units.csv#row=3`), so quarantine messages over
HTTP point stewards to the same file and line as a folder collection does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from unionflow.portal.faults import Fault, FaultPlan
from unionflow.portal.responses import DripResponse, DroppedResponse, TruncatedResponse
from unionflow.sources.folder import read_folder
from unionflow.sources.payloads import RecordKind, item_of_payload

API = "/api/v1"
UPDATE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
POST_KINDS = ("assignments", "allocations")
PostKind = Literal["assignments", "allocations"]
# Module level: with postponed annotations FastAPI resolves these names in the module's namespace.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def update_time(position: int) -> str:
    """The update time served for the record at `position` (0-based) of its kind."""
    return (UPDATE_EPOCH + dt.timedelta(seconds=position + 1)).isoformat()


def encode_cursor(position: int, variant: int = 0) -> str:
    """An opaque cursor for a position in a record stream (base64 of the offset).

    `variant` > 0 makes a different cursor for the same position (the `empty` fault hands out a
    fresh cursor each time); every variant means the same place, so a healthy portal resumes there.
    """
    text = f"o:{position}" if variant == 0 else f"o:{position}~{variant}"
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; ValueError when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("not a cursor") from None
    prefix, _, rest = text.partition(":")
    number, _, variant = rest.partition("~")
    if prefix != "o" or not number.isdigit() or not (variant == "" or variant.isdigit()):
        raise ValueError("not a cursor")
    return int(number)


@dataclass
class Stream:
    """The served records of one kind, each pre-encoded once as its JSON item bytes."""

    kind: RecordKind
    items: list[bytes]
    refs: list[bytes]

    def first_after(self, since: dt.datetime | None) -> int:
        """Position of the first record updated strictly after `since` (times grow with position)."""
        if since is None:
            return 0
        seconds = (since - UPDATE_EPOCH).total_seconds()
        return min(len(self.items), max(0, int(seconds // 1)))


@dataclass
class PortalState:
    """What the running portal holds: records, token, fault plan, counters and received posts."""

    token: str
    streams: dict[RecordKind, Stream]
    plan: FaultPlan
    request_counts: Counter[str] = field(default_factory=Counter)
    fault_counts: Counter[str] = field(default_factory=Counter)
    page_requests: int = 0
    pages_served: int = 0
    received: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    answers: dict[tuple[str, int, str], tuple[int, bytes]] = field(default_factory=dict)

    def __repr__(self) -> str:
        # The token must never reach a log or traceback through this object.
        return (
            f"PortalState(streams={ {k: len(s.items) for k, s in self.streams.items()} }, plan={self.plan})"
        )


def load_streams(folder: Path) -> dict[RecordKind, Stream]:
    """Read a source folder and encode every record as the JSON item the portal serves."""
    batches = read_folder(folder)
    return {
        kind: Stream(
            kind,
            [orjson.dumps(item_of_payload(payload)) for payload in batch.payloads],
            [orjson.dumps(ref) for ref in batch.source_refs],
        )
        for kind, batch in batches.items()
    }


def _page_body(
    items: list[bytes], refs: list[bytes], next_cursor: str | None, updated_through: str | None
) -> bytes:
    # Joined from pre-encoded items: a page of 5,000 records costs one join, not 5,000 dumps.
    return b"".join(
        (
            b'{"items":[',
            b",".join(items),
            b'],"next_cursor":',
            orjson.dumps(next_cursor),
            b',"updated_through":',
            orjson.dumps(updated_through),
            b',"refs":[',
            b",".join(refs),
            b"]}",
        )
    )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_app(folder: Path, token: str, faults: str | FaultPlan | None = None) -> FastAPI:
    """The portal app serving `folder`, accepting only `Authorization: Bearer <token>`.

    `faults` is a fault spec (see `portal.faults`) applied to GET page requests.
    """
    if not token:
        raise ValueError("the portal needs a non-empty token")
    plan = faults if isinstance(faults, FaultPlan) else FaultPlan.parse(faults)
    state = PortalState(token=token, streams=load_streams(folder), plan=plan)
    app = FastAPI(title="unionflow reference portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = state

    def authorized(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, presented = (authorization or "").partition(" ")
        # compare_digest: the time taken must not tell how much of a guessed token was right.
        if scheme.lower() != "bearer" or not secrets.compare_digest(presented.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    Auth = Depends(authorized)

    async def serve_page(
        request: Request, kind: RecordKind, cursor: str | None, limit: int, since: dt.datetime | None
    ) -> Response:
        stream = state.streams[kind]
        first = stream.first_after(since)
        try:
            start = max(first, decode_cursor(cursor)) if cursor else first
        except ValueError:
            return _error(400, "invalid cursor")
        key = f"{request.url.path}?{request.url.query}"
        nth = state.request_counts[key]
        state.request_counts[key] += 1
        state.page_requests += 1
        fault: Fault | None
        if plan.fail_after is not None and state.pages_served >= plan.fail_after:
            state.fault_counts["fail_after"] += 1
            return _error(503, "portal down for maintenance")
        fault, rng = plan.decide(key, nth)
        if state.pages_served < plan.after:
            fault = None  # not hostile yet
        if fault == "repeat" and start <= first:
            fault = None  # the first page has no previous page to repeat
        if fault is not None:
            state.fault_counts[fault] += 1
        if fault == "429":
            return _error(429, "too many requests", {"Retry-After": str(rng.randint(0, plan.retry_after))})
        if fault in ("502", "503", "504"):
            status = int(fault)
            return Response(
                f"<html><body><h1>{status} gateway error</h1></body></html>", status, media_type="text/html"
            )
        if fault == "500":
            return Response(
                "<html><body><h1>500 Internal Server Error</h1></body></html>", 500, media_type="text/html"
            )
        if fault == "html":
            page = "<!doctype html><html><body><h1>Portal under maintenance</h1></body></html>"
            return Response(page, 200, media_type="text/html")
        if fault == "empty":
            # No items, and a cursor never handed out before for the same place.
            return Response(
                _page_body([], [], encode_cursor(start, state.fault_counts["empty"]), None),
                media_type="application/json",
            )
        if fault == "drop":
            return DroppedResponse()
        if fault == "slow":
            await asyncio.sleep(plan.sleep)
        next_position: int | None
        if fault == "repeat":
            # The previous page again, with the cursor that previous page carried: a stale answer.
            begin, end, next_position = max(first, start - limit), start, start
        else:
            begin, end = start, min(len(stream.items), start + limit)
            next_position = end if end < len(stream.items) else None
        chunk = stream.items[begin:end]
        next_cursor = None if next_position is None else encode_cursor(next_position)
        if fault == "loop":
            next_cursor = cursor or encode_cursor(start)  # this very page is "next" again
        body = _page_body(chunk, stream.refs[begin:end], next_cursor, update_time(end - 1) if chunk else None)
        if fault == "drip":
            return DripResponse(body, plan.sleep)
        if fault == "truncate":
            return TruncatedResponse(body, short_body=rng.random() < 0.5)
        state.pages_served += 1
        return Response(body, media_type="application/json")

    @app.get(f"{API}/units", dependencies=[Auth])
    async def units(request: Request, cursor: str | None = None, limit: Limit = DEFAULT_LIMIT) -> Response:
        return await serve_page(request, "unit", cursor, limit, None)

    @app.get(f"{API}/submissions", dependencies=[Auth])
    async def submissions(
        request: Request,
        year: int,
        cursor: str | None = None,
        limit: Limit = DEFAULT_LIMIT,
        updated_since: dt.datetime | None = None,
    ) -> Response:
        # `year` is required by the API but not used to filter: see the module docstring.
        if updated_since is not None and updated_since.tzinfo is None:
            return _error(422, "updated_since needs a UTC offset")
        return await serve_page(request, "submission", cursor, limit, updated_since)

    @app.get(f"{API}/reviews", dependencies=[Auth])
    async def reviews(
        request: Request, year: int, cursor: str | None = None, limit: Limit = DEFAULT_LIMIT
    ) -> Response:
        return await serve_page(request, "review", cursor, limit, None)

    async def receive_post(request: Request, kind: PostKind, year: int, key: str | None) -> Response:
        if not key:
            return _error(400, "the Idempotency-Key header is required")
        previous = state.answers.get((kind, year, key))
        if previous is not None:
            status, content = previous
            return Response(
                content, status, media_type="application/json", headers={"Idempotent-Replayed": "true"}
            )
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error(400, "the body is not JSON")
        received = state.received.setdefault((kind, year), [])
        received.append({"idempotency_key": key, "body": body})
        answer = {
            "status": "received",
            "kind": kind,
            "year": year,
            "receipt": f"{kind}-{year}-{len(received)}",
        }
        content = orjson.dumps(answer)
        state.answers[(kind, year, key)] = (201, content)
        return Response(content, 201, media_type="application/json")

    @app.post(f"{API}/assignments/{{year}}", dependencies=[Auth])
    async def assignments(
        request: Request, year: int, idempotency_key: Annotated[str | None, Header()] = None
    ) -> Response:
        return await receive_post(request, "assignments", year, idempotency_key)

    @app.post(f"{API}/allocations/{{year}}", dependencies=[Auth])
    async def allocations(
        request: Request, year: int, idempotency_key: Annotated[str | None, Header()] = None
    ) -> Response:
        return await receive_post(request, "allocations", year, idempotency_key)

    @app.get(f"{API}/_received/{{kind}}/{{year}}", dependencies=[Auth])
    async def received(kind: PostKind, year: int) -> Response:
        """Test hook: every distinct post received for a kind and year, in arrival order."""
        return Response(orjson.dumps(state.received.get((kind, year), [])), media_type="application/json")

    @app.get(f"{API}/_stats", dependencies=[Auth])
    async def stats() -> Response:
        """Test hook: request, page and fault counters."""
        return Response(
            orjson.dumps(
                {
                    "page_requests": state.page_requests,
                    "pages_served": state.pages_served,
                    "faults": dict(state.fault_counts),
                    "records": {kind: len(stream.items) for kind, stream in state.streams.items()},
                }
            ),
            media_type="application/json",
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
