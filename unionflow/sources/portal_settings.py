"""What the portal client is configured with and how it fails: token, settings, errors.

`ClientSettings.from_env` reads the UNIONFLOW_PORTAL_* overrides (docs/portal.md lists them);
`resolve_token` finds the token without ever printing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from unionflow.sources.payloads import RecordKind, SourceError
from unionflow.sources.portal_cursor import EMPTY_PAGES_ENV, REPEATED_CURSORS_ENV, LoopGuards

TOKEN_ENV = "UNIONFLOW_PORTAL_TOKEN"  # noqa: S105 - names where the token lives, not the token
SECRET_BLOCK = "unionflow-portal-token"  # noqa: S105
API = "/api/v1"
ENDPOINTS: dict[RecordKind, str] = {"unit": "units", "submission": "submissions", "review": "reviews"}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PortalError(SourceError):
    """The portal could not be collected from (exit code 2 at the command line)."""


class PortalAuthError(PortalError):
    """The portal refused the token (401/403)."""


class PortalUnavailable(PortalError):
    """The portal stayed unreachable or kept failing after every retry."""


class PortalLoopError(PortalError):
    """The portal's pages would never end (empty pages or repeated cursors beyond their bound)."""


class PortalProtocolError(PortalError):
    """The portal answered something no retry can fix (for example 404 or 400)."""


def no_token() -> SourceError:
    """A portal collection without a token: names where the token lives, never a value."""
    return SourceError(f"no portal token: set {TOKEN_ENV} or create the Prefect Secret block {SECRET_BLOCK}")


def resolve_token(fallback: Callable[[], str | None] | None = None) -> str:
    """The portal token: env UNIONFLOW_PORTAL_TOKEN, else what `fallback` finds.

    The task layer passes a fallback reading the Prefect Secret block `unionflow-portal-token`
    (`tasks.portal.portal_token`); the sources never import Prefect themselves. The fallback is
    only asked when the variable is missing; a missing token is an error, never an empty default,
    and the error names where the token lives, never a value.
    """
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    value = fallback() if fallback is not None else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise no_token()


def _env_number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SourceError(f"{name}={raw!r} is not a number") from None
    if not value >= minimum:  # also refuses nan
        raise SourceError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


@dataclass(frozen=True)
class ClientSettings:
    """How the client pages, retries and gives up; `from_env` reads the UNIONFLOW_PORTAL_* overrides."""

    page_size: int = 2000
    max_attempts: int = 8
    backoff_base: float = 0.25
    backoff_max: float = 5.0
    read_timeout: float = 30.0
    connect_timeout: float = 5.0
    #: seconds one request may take from sending to the last byte of the answer, whatever the reads
    request_deadline: float = 120.0
    guards: LoopGuards = field(default_factory=LoopGuards)
    seed: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientSettings:
        """Settings with the environment's overrides (tests shorten delays and timeouts this way)."""
        env = os.environ if env is None else env
        default = cls()

        def number(name: str, value: float, minimum: float) -> float:
            return _env_number(env, f"UNIONFLOW_PORTAL_{name}", value, minimum)

        return cls(
            page_size=int(number("PAGE_SIZE", default.page_size, 1)),
            max_attempts=int(number("MAX_ATTEMPTS", default.max_attempts, 1)),
            backoff_base=number("BACKOFF_BASE", default.backoff_base, 0),
            backoff_max=number("BACKOFF_MAX", default.backoff_max, 0),
            read_timeout=number("TIMEOUT", default.read_timeout, 0.01),
            connect_timeout=number("CONNECT_TIMEOUT", default.connect_timeout, 0.01),
            request_deadline=number("REQUEST_DEADLINE", default.request_deadline, 0.01),
            guards=LoopGuards(
                max_empty_pages=int(_env_number(env, EMPTY_PAGES_ENV, default.guards.max_empty_pages, 0)),
                max_repeated_cursors=int(
                    _env_number(env, REPEATED_CURSORS_ENV, default.guards.max_repeated_cursors, 0)
                ),
            ),
        )
