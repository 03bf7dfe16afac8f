"""Responses of the reference portal's faults that reach below ASGI: cut connections, drip-fed bodies.

uvicorn's request cycle (its transport) is only reachable before Starlette wraps `send`, so
`CycleStash`, the outermost wrapper, stashes it in the scope for these responses.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

CYCLE_KEY = "unionflow.cycle"


class DroppedResponse(Response):
    """Close the connection without answering (the `drop` fault)."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cycle = scope.get(CYCLE_KEY)
        if cycle is None:
            raise RuntimeError("drop fault needs the uvicorn server of portal.server")
        cycle.transport.abort()
        await _until_disconnected(cycle)


class TruncatedResponse(Response):
    """Send a page cut in the middle (the `truncate` fault).

    `short_body`: the headers announce the full length but only half the bytes come before the
    connection closes. Otherwise the half body is sent as a complete answer: broken JSON.
    """

    def __init__(self, body: bytes, *, short_body: bool) -> None:
        self.full = body
        self.short_body = short_body
        half = body[: max(1, len(body) // 2)]
        super().__init__(content=half, status_code=200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.short_body:
            await super().__call__(scope, receive, send)
            return
        cycle = scope.get(CYCLE_KEY)
        if cycle is None:
            raise RuntimeError("truncate fault needs the uvicorn server of portal.server")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(self.full)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": True})
        cycle.transport.close()  # close (not abort) so the half body already written is delivered
        await _until_disconnected(cycle)


class DripResponse(Response):
    """Announce the whole page, then send it one byte every `interval` seconds (the `drip` fault).

    Every single read is quick, so only a deadline on the whole request ends the wait.
    """

    def __init__(self, body: bytes, interval: float) -> None:
        self.interval = interval
        super().__init__(content=body, status_code=200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cycle = scope.get(CYCLE_KEY)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for offset in range(len(self.body)):
            if cycle is not None and getattr(cycle, "disconnected", False):
                return  # the client gave up: stop dripping into a closed connection
            last = offset == len(self.body) - 1
            await send(
                {"type": "http.response.body", "body": self.body[offset : offset + 1], "more_body": not last}
            )
            if not last:
                await asyncio.sleep(self.interval)


async def _until_disconnected(cycle: Any) -> None:
    # uvicorn notices the closed transport on a later loop turn; waiting for it keeps uvicorn from
    # answering 500 on a dead connection or logging an "incomplete response" error.
    for _ in range(200):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.005)


class CycleStash:
    """Outermost ASGI wrapper: remembers uvicorn's request cycle so fault responses can cut the wire.

    Starlette wraps `send` in closures, so the transport is only reachable before the app sees it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cycle = getattr(send, "__self__", None)
        if scope["type"] == "http" and cycle is not None and hasattr(cycle, "transport"):
            scope = {**scope, CYCLE_KEY: cycle}
        await self.app(scope, receive, send)
