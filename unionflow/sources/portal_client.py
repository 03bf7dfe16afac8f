"""The portal source (SPEC section 6) behind a narrow client interface.

`PortalClient.fetch_pages(kind, year, cursor, updated_since)` yields the pages of one collection,
retrying transient faults itself: 429 (honouring `Retry-After`), 502/503/504, timeouts, refused or
dropped connections, truncated bodies and bodies that are not the expected JSON shape. httpx's
transport `retries=` only covers failed connects, hence the loop here. Delays are exponential with
full jitter (`uniform(0, min(cap, base * 2**attempt))`), from a seeded generator per client.

The token is held as a `SecretStr` and only ever placed in the Authorization header; no message,
log line or repr made here contains it.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import orjson
from pydantic import SecretStr

from unionflow.sources.payloads import RecordKind, SourceError

TOKEN_ENV = "UNIONFLOW_PORTAL_TOKEN"  # noqa: S105 - names where the token lives, not the token
SECRET_BLOCK = "unionflow-portal-token"  # noqa: S105
API = "/api/v1"
ENDPOINTS: dict[RecordKind, str] = {"unit": "units", "submission": "submissions", "review": "reviews"}
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class PortalError(SourceError):
    """The portal could not be collected from (exit code 2 at the command line)."""


class PortalAuthError(PortalError):
    """The portal refused the token (401/403)."""


class PortalUnavailable(PortalError):
    """The portal stayed unreachable or kept failing after every retry."""


class PortalProtocolError(PortalError):
    """The portal answered something no retry can fix (for example 404 or 400)."""


def resolve_token() -> str:
    """The portal token: env UNIONFLOW_PORTAL_TOKEN, else the Prefect Secret block `unionflow-portal-token`.

    The Secret block is only looked up when the variable is missing; a missing token is an error,
    never an empty default.
    """
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    try:
        from prefect.blocks.system import Secret

        # `load` is sync-compatible (returns the block when called from sync code); typed loosely.
        secret: Any = Secret.load(SECRET_BLOCK)
        value = secret.get()
    except Exception:  # any failure to find or read the block means "no token"
        value = None
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise SourceError(f"no portal token: set {TOKEN_ENV} or create the Prefect Secret block {SECRET_BLOCK}")


def _env_number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SourceError(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise SourceError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


@dataclass(frozen=True)
class ClientSettings:
    """How the client pages and retries; `from_env` reads the UNIONFLOW_PORTAL_* overrides."""

    page_size: int = 2000
    max_attempts: int = 8
    backoff_base: float = 0.25
    backoff_max: float = 5.0
    read_timeout: float = 30.0
    connect_timeout: float = 5.0
    seed: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientSettings:
        """Settings with the environment's overrides (tests shorten delays and timeouts this way)."""
        env = os.environ if env is None else env
        default = cls()
        return cls(
            page_size=int(_env_number(env, "UNIONFLOW_PORTAL_PAGE_SIZE", default.page_size, 1)),
            max_attempts=int(_env_number(env, "UNIONFLOW_PORTAL_MAX_ATTEMPTS", default.max_attempts, 1)),
            backoff_base=_env_number(env, "UNIONFLOW_PORTAL_BACKOFF_BASE", default.backoff_base, 0),
            backoff_max=_env_number(env, "UNIONFLOW_PORTAL_BACKOFF_MAX", default.backoff_max, 0),
            read_timeout=_env_number(env, "UNIONFLOW_PORTAL_TIMEOUT", default.read_timeout, 0.01),
            connect_timeout=_env_number(
                env, "UNIONFLOW_PORTAL_CONNECT_TIMEOUT", default.connect_timeout, 0.01
            ),
        )


@dataclass(frozen=True)
class Page:
    """One page of a collection: the cursor it was requested with and the items it brought."""

    kind: RecordKind
    cursor: str | None
    next_cursor: str | None
    items: list[Any]
    updated_through: str | None
    attempts: int
    refs: list[str] | None = None

    @property
    def last(self) -> bool:
        return self.next_cursor is None


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


class PortalClient:
    """An async client for the portal API: one pooled `httpx.AsyncClient`, explicit timeouts, retries.

    Use as `async with PortalClient(url, token) as client: async for page in client.fetch_pages(...)`.
    """

    def __init__(self, base_url: str, token: str | SecretStr, settings: ClientSettings | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings.from_env()
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        if not self._token.get_secret_value():
            raise SourceError(
                f"no portal token: set {TOKEN_ENV} or create the Prefect Secret block {SECRET_BLOCK}"
            )
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

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        ceiling = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (attempt - 1))
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            # Honour the server's wish, but never wait longer than the configured cap.
            delay = max(delay, min(retry_after, self.settings.backoff_max))
        return delay

    async def fetch_pages(
        self, kind: RecordKind, year: int | None, cursor: str | None = None, updated_since: str | None = None
    ) -> AsyncIterator[Page]:
        """Yield the pages of one collection from `cursor` (None: the start) until `next_cursor` is null.

        A stale page (one whose `next_cursor` was already followed, e.g. the same page served twice)
        is never yielded: it is retried like any other fault, so every item arrives exactly once.
        """
        followed: set[str] = set()
        while True:
            page = await self._fetch_page(kind, year, cursor, updated_since, followed)
            yield page
            if page.next_cursor is None:
                return
            followed.add(page.next_cursor)
            cursor = page.next_cursor

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
        self, kind: RecordKind, year: int | None, cursor: str | None, since: str | None, followed: set[str]
    ) -> Page:
        path = f"{API}/{ENDPOINTS[kind]}"
        params = self._params(kind, year, cursor, since)
        where = f"{self.base_url}{path}"
        last: _Retry | None = None
        reached = False
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                data = await self._get_json(path, params)
                page = self._page_of(kind, cursor, data, attempt, followed)
            except _Retry as problem:
                last = problem
                reached = reached or problem.reached
                if attempt < self.settings.max_attempts:
                    self.retries += 1
                    await asyncio.sleep(self._delay(attempt, problem.retry_after))
                continue
            return page
        assert last is not None
        attempts = self.settings.max_attempts
        if not reached:
            raise PortalUnavailable(
                f"portal {self.base_url} unreachable after {attempts} attempts: {last.reason}"
            )
        raise PortalUnavailable(
            f"portal {where} kept failing after {attempts} attempts (last: {last.reason}); "
            "pages landed so far are kept and a re-run resumes after them"
        )

    async def post(self, path: str, payload: Any, idempotency_key: str) -> Any:
        """POST a JSON document with an `Idempotency-Key`, retried on transient faults.

        The portal answers a repeated key with its first answer, so a retry after a lost response
        never publishes twice.
        """
        last: _Retry | None = None
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                return await self._send_json("POST", path, json_body=payload, key=idempotency_key)
            except _Retry as problem:
                last = problem
                if attempt < self.settings.max_attempts:
                    self.retries += 1
                    await asyncio.sleep(self._delay(attempt, problem.retry_after))
        assert last is not None
        raise PortalUnavailable(
            f"portal {self.base_url}{path} did not accept the post after "
            f"{self.settings.max_attempts} attempts (last: {last.reason}); it is safe to try again"
        )

    async def _get_json(self, path: str, params: dict[str, Any]) -> Any:
        return await self._send_json("GET", path, params=params)

    async def _send_json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        key: str | None = None,
    ) -> Any:
        try:
            if method == "GET":
                response = await self._http.get(path, params=params)
            else:
                response = await self._http.request(
                    method,
                    path,
                    content=orjson.dumps(json_body),
                    headers={"Idempotency-Key": key or "", "Content-Type": "application/json"},
                )
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
            snippet = self._scrub(response.text[:200]).replace("\n", " ")
            raise PortalProtocolError(f"portal {self.base_url}{path} answered HTTP {status}: {snippet}")
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as problem:
            raise _Retry(
                f"unreadable page ({len(response.content)} bytes, {problem})", reached=True
            ) from None

    @staticmethod
    def _page_of(kind: RecordKind, cursor: str | None, data: Any, attempt: int, followed: set[str]) -> Page:
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise _Retry("page without an items list", reached=True)
        next_cursor = data.get("next_cursor")
        if next_cursor is not None and (not isinstance(next_cursor, str) or not next_cursor):
            raise _Retry("page with an invalid next_cursor", reached=True)
        if next_cursor is not None and (next_cursor == cursor or next_cursor in followed):
            raise _Retry("stale page (a page already received was served again)", reached=True)
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


def post_to_portal(base_url: str, path: str, payload: Any, idempotency_key: str) -> Any:
    """Synchronous one-off POST to the portal with the resolved token (publication, assignments)."""

    async def send() -> Any:
        async with PortalClient(base_url, resolve_token()) as client:
            return await client.post(path, payload, idempotency_key)

    return asyncio.run(send())
