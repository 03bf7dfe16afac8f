"""The portal source (SPEC section 6) behind a narrow client interface.

`PortalClient.fetch_pages(kind, year, cursor, updated_since)` yields the pages of one collection.
Every request has a *total* deadline (`request_deadline`): httpx's timeouts are per read, so a
portal sending its headers and then one byte a second would otherwise hold a collection for ever.
Transient faults are retried in one place, `_retrying` (tenacity): 429 (honouring
`Retry-After`), 500/502/503/504, timeouts and missed deadlines, refused or dropped connections,
truncated bodies and bodies that are not the expected JSON shape (an HTML error page served with
200, say). 401/403 are never retried. Delays are exponential with full jitter
(`uniform(0, min(cap, base * 2**attempt))`), from a seeded generator per client.

Where the pages lead is judged by the pure `portal_cursor.CursorWalk`: stale pages are asked for
again, and endless empty pages or repeated cursors end the collection (`PortalLoopError`).

The token is held as a `SecretStr` and only ever placed in the Authorization header; no message,
log line or repr made here contains it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import SecretStr
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from unionflow.sources.payloads import RecordKind
from unionflow.sources.portal_cursor import CursorWalk, Page, PaginationLoop, Verdict
from unionflow.sources.portal_settings import (
    API,
    ENDPOINTS,
    RETRY_STATUSES,
    TOKEN_ENV,
    ClientSettings,
    PortalAuthError,
    PortalError,
    PortalLoopError,
    PortalProtocolError,
    PortalUnavailable,
    no_token,
    resolve_token,
)

__all__ = [
    "ENDPOINTS",
    "TOKEN_ENV",
    "ClientSettings",
    "Page",
    "PortalAuthError",
    "PortalClient",
    "PortalError",
    "PortalLoopError",
    "PortalProtocolError",
    "PortalUnavailable",
    "post_to_portal",
    "resolve_token",
]
T = TypeVar("T")


class _Retry(Exception):
    """One failed attempt worth retrying (internal)."""

    def __init__(self, reason: str, *, reached: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reached = reached  # whether the portal answered at all
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    # Only the delta-seconds form: the reference portal sends it, and a date would need a clock
    # agreement between client and server that this retry loop does not want to depend on.
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class _Backoff:
    """tenacity wait: full jitter from a seeded generator, at least `Retry-After`, never above the cap."""

    def __init__(self, settings: ClientSettings, rng: random.Random) -> None:
        self.settings = settings
        self.rng = rng

    def __call__(self, state: RetryCallState) -> float:
        ceiling = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (state.attempt_number - 1))
        delay = self.rng.uniform(0, ceiling)
        problem = state.outcome.exception() if state.outcome is not None else None
        if isinstance(problem, _Retry) and problem.retry_after is not None:
            delay = max(delay, min(problem.retry_after, self.settings.backoff_max))
        return delay


class PortalClient:
    """An async client for the portal API: one pooled `httpx.AsyncClient`, deadlines, retries.

    Use as `async with PortalClient(url, token) as client: async for page in client.fetch_pages(...)`.
    """

    def __init__(self, base_url: str, token: str | SecretStr, settings: ClientSettings | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings.from_env()
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        if not self._token.get_secret_value():
            raise no_token()
        self._rng = random.Random(self.settings.seed)
        self.retries = 0
        timeout = httpx.Timeout(
            self.settings.read_timeout, connect=self.settings.connect_timeout, pool=self.settings.read_timeout
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            # httpx masks the Authorization header in its reprs; we never log headers ourselves.
            headers={
                "Authorization": f"Bearer {self._token.get_secret_value()}",
                "Accept": "application/json",
            },
            timeout=timeout,
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"PortalClient({self.base_url!r}, token={self._token!r})"

    async def __aenter__(self) -> PortalClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    def _scrub(self, text: str) -> str:
        # Belt and braces: a body or an exception text echoing the token must not carry it further.
        secret = self._token.get_secret_value()
        return text.replace(secret, "**********") if secret else text

    async def _retrying(
        self, attempt: Callable[[int], Awaitable[T]], give_up: Callable[[_Retry, bool], str]
    ) -> T:
        """Run `attempt(n)` until it returns, retrying `_Retry` failures: the one retry policy.

        After the last attempt the collection ends with `PortalUnavailable(give_up(last, reached))`,
        `reached` telling whether the portal answered at all. Other errors pass straight through.
        """
        reached = False

        def note(state: RetryCallState) -> None:
            self.retries += 1

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=_Backoff(self.settings, self._rng),
            retry=retry_if_exception_type(_Retry),
            before_sleep=note,
            reraise=True,
        )
        try:
            async for trial in retrying:
                with trial:
                    try:
                        return await attempt(trial.retry_state.attempt_number)
                    except _Retry as problem:
                        reached = reached or problem.reached
                        raise
        except _Retry as last:
            raise PortalUnavailable(give_up(last, reached)) from None
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    async def fetch_pages(
        self, kind: RecordKind, year: int | None, cursor: str | None = None, updated_since: str | None = None
    ) -> AsyncIterator[Page]:
        """Yield the pages of one collection from `cursor` (None: the start) until `next_cursor` is null.

        A stale page (one whose `next_cursor` was already followed, e.g. the same page served twice)
        is never yielded: it is asked for again like any other fault, so every item arrives exactly
        once. Raises `PortalLoopError` when the pages would never end (see `LoopGuards`).
        """
        walk = CursorWalk(kind, cursor, self.settings.guards)
        while True:
            page = await self._fetch_page(kind, year, walk, updated_since)
            walk.advance(page)
            yield page
            if page.last:
                return

    def _params(
        self, kind: RecordKind, year: int | None, cursor: str | None, since: str | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if kind != "unit":
            params["year"] = year
        if cursor is not None:
            params["cursor"] = cursor
        params["limit"] = self.settings.page_size
        if since is not None and kind == "submission":
            params["updated_since"] = since
        return params

    async def _fetch_page(
        self, kind: RecordKind, year: int | None, walk: CursorWalk, since: str | None
    ) -> Page:
        path = f"{API}/{ENDPOINTS[kind]}"
        params = self._params(kind, year, walk.cursor, since)
        where = f"{self.base_url}{path}"

        async def attempt(number: int) -> Page:
            data = await self._send_json("GET", path, params=params)
            page = self._page_of(kind, walk.cursor, data, number)
            try:
                verdict = walk.judge(page.next_cursor, len(page.items))
            except PaginationLoop as loop:
                raise PortalLoopError(
                    f"portal {where} {loop}; pages landed so far are kept and a re-run resumes after them"
                ) from None
            if verdict is Verdict.STALE:
                raise _Retry("stale page (a page already received was served again)", reached=True)
            return page

        def give_up(last: _Retry, reached: bool) -> str:
            attempts = self.settings.max_attempts
            if not reached:
                return f"portal {self.base_url} unreachable after {attempts} attempts: {last.reason}"
            return (
                f"portal {where} kept failing after {attempts} attempts (last: {last.reason}); "
                "pages landed so far are kept and a re-run resumes after them"
            )

        return await self._retrying(attempt, give_up)

    async def post(self, path: str, payload: Any, idempotency_key: str) -> Any:
        """POST a JSON document with an `Idempotency-Key`, retried on transient faults.

        The portal answers a repeated key with its first answer, so a retry after a lost response
        never publishes twice.
        """

        async def attempt(number: int) -> Any:
            return await self._send_json("POST", path, json_body=payload, key=idempotency_key)

        def give_up(last: _Retry, reached: bool) -> str:
            return (
                f"portal {self.base_url}{path} did not accept the post after "
                f"{self.settings.max_attempts} attempts (last: {last.reason}); it is safe to try again"
            )

        return await self._retrying(attempt, give_up)

    async def _send_json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        key: str | None = None,
    ) -> Any:
        deadline = self.settings.request_deadline
        try:
            # The whole exchange, connect to last byte: httpx's own timeouts only bound each read.
            async with asyncio.timeout(deadline):
                if method == "GET":
                    response = await self._http.get(path, params=params)
                else:
                    response = await self._http.request(
                        method,
                        path,
                        content=orjson.dumps(json_body),
                        headers={"Idempotency-Key": key or "", "Content-Type": "application/json"},
                    )
        except TimeoutError:
            raise _Retry(
                f"no complete answer within the request deadline of {deadline:g} s "
                "(UNIONFLOW_PORTAL_REQUEST_DEADLINE)",
                reached=True,
            ) from None
        except httpx.TimeoutException as problem:
            raise _Retry(f"timed out ({type(problem).__name__})", reached=True) from None
        except httpx.TransportError as problem:
            # Refused connects never reached the portal; a connection dropped mid-answer did.
            reached = not isinstance(problem, httpx.ConnectError)
            detail = self._scrub(str(problem)) or "no detail"
            raise _Retry(f"{type(problem).__name__}: {detail}", reached=reached) from None
        status = response.status_code
        if status in (401, 403):
            raise PortalAuthError(f"portal refused the token ({status}): check {TOKEN_ENV}")
        if status in RETRY_STATUSES:
            raise _Retry(
                f"HTTP {status}", reached=True, retry_after=_retry_after(response.headers.get("retry-after"))
            )
        if status not in (200, 201):
            snippet = self._scrub(" ".join(response.text[:200].split()))
            raise PortalProtocolError(f"portal {self.base_url}{path} answered HTTP {status}: {snippet}")
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as problem:
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise _Retry(
                f"unreadable page ({len(response.content)} bytes of {kind}, not JSON: {problem})",
                reached=True,
            ) from None

    @staticmethod
    def _page_of(kind: RecordKind, cursor: str | None, data: Any, attempt: int) -> Page:
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise _Retry("page without an items list", reached=True)
        next_cursor = data.get("next_cursor")
        if next_cursor is not None and (not isinstance(next_cursor, str) or not next_cursor):
            raise _Retry("page with an invalid next_cursor", reached=True)
        through = data.get("updated_through")
        refs = data.get("refs")
        # Optional extension: where each item lives at the portal's side (kept only when well formed).
        if not (
            isinstance(refs, list)
            and len(refs) == len(data["items"])
            and all(isinstance(r, str) for r in refs)
        ):
            refs = None
        return Page(
            kind=kind,
            cursor=cursor,
            next_cursor=next_cursor,
            items=data["items"],
            updated_through=through if isinstance(through, str) else None,
            attempts=attempt,
            refs=refs,
        )


def post_to_portal(base_url: str, path: str, payload: Any, idempotency_key: str, token: str) -> Any:
    """Synchronous one-off POST to the portal (publication, assignments).

    `token` comes from the caller (`tasks.portal.portal_token()` resolves it, Secret block included).
    """

    async def send() -> Any:
        async with PortalClient(base_url, token) as client:
            return await client.post(path, payload, idempotency_key)

    return asyncio.run(send())
