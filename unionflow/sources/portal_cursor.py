"""Where a portal collection stands: the cursor state machine, pure (no I/O, no clock, no network).

Two machines, both driven by the pages the client receives:

- `CursorWalk` follows one collection's cursors within a run and guards against portals that
  never end: a page whose `next_cursor` was already followed is *stale* (re-requested, never
  landed), and a run of pages without items or a pile of repeated cursors ends the walk with a
  `PaginationLoop` naming the bound and its setting. Both bounds are configurable
  (`LoopGuards`) because a real portal may legitimately send a few empty pages (filtered ones).
- `CollectionState` says which (cursor, updated_since) to store with each landed page, so a run
  killed at any moment resumes after the last landed page (see `tasks/portal.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from unionflow.records import RecordKind

EMPTY_PAGES_ENV = "UNIONFLOW_PORTAL_MAX_EMPTY_PAGES"
REPEATED_CURSORS_ENV = "UNIONFLOW_PORTAL_MAX_REPEATED_CURSORS"


class PaginationLoop(Exception):
    """The portal's pages would never end (empty pages or repeated cursors beyond their bound)."""


@dataclass(frozen=True)
class LoopGuards:
    """How much pagination nonsense a collection tolerates before it stops."""

    #: pages in a row that bring no items but point to a further page
    max_empty_pages: int = 50
    #: answers, over the whole collection, whose `next_cursor` was already followed
    max_repeated_cursors: int = 20


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
        """Whether this is the collection's last page (no `next_cursor`)."""
        return self.next_cursor is None


class Verdict(Enum):
    """What to do with a received page."""

    FOLLOW = "follow"  # land it and request `next_cursor`
    LAST = "last"  # land it; the collection is complete
    STALE = "stale"  # a page already received, served again: do not land it, ask again


@dataclass
class CursorWalk:
    """The cursors one collection has followed in this run, and the loop guards' counters."""

    kind: RecordKind
    cursor: str | None
    guards: LoopGuards = field(default_factory=LoopGuards)
    followed: set[str] = field(default_factory=set)
    empty_in_a_row: int = 0
    repeated: int = 0

    def judge(self, next_cursor: str | None, items: int) -> Verdict:
        """Classify the answer to a request for `self.cursor`; raises `PaginationLoop` past a bound.

        Does not move the walk: call `advance` once the page was accepted.
        """
        if next_cursor is None:
            return Verdict.LAST
        if next_cursor == self.cursor or next_cursor in self.followed:
            self.repeated += 1
            if self.repeated > self.guards.max_repeated_cursors:
                raise PaginationLoop(
                    f"served {self.repeated} pages whose next cursor was already followed "
                    f"(bound {REPEATED_CURSORS_ENV}={self.guards.max_repeated_cursors})"
                )
            return Verdict.STALE
        if items == 0 and self.empty_in_a_row + 1 > self.guards.max_empty_pages:
            raise PaginationLoop(
                f"served {self.empty_in_a_row + 1} pages in a row without items, each with a new cursor "
                f"(bound {EMPTY_PAGES_ENV}={self.guards.max_empty_pages})"
            )
        return Verdict.FOLLOW

    def advance(self, page: Page) -> None:
        """Move on after `page` was accepted (FOLLOW or LAST)."""
        self.empty_in_a_row = self.empty_in_a_row + 1 if not page.items else 0
        if page.next_cursor is not None:
            self.followed.add(page.next_cursor)
            self.cursor = page.next_cursor


def later(a: str | None, b: str | None) -> str | None:
    """The later of two ISO update times (None: unknown); the newest answer when not comparable."""
    if a is None or b is None:
        return a or b
    try:
        return a if dt.datetime.fromisoformat(a) >= dt.datetime.fromisoformat(b) else b
    except ValueError:
        return b


@dataclass
class CollectionState:
    """Where one collection starts and what it has received so far in this run.

    Stored per (portal URL, kind, year): while under way, `cursor` = the next page to fetch and
    `updated_since` = the filter this run started with; after the last page, submissions keep
    `cursor` NULL and `updated_since` = the update time of the last item received, while units and
    reviews (no `updated_since` in the API) keep their last page's cursor, fetched again next time.
    """

    kind: RecordKind
    start_cursor: str | None
    since: str | None
    through: str | None = None
    received: int = 0
    stored: int = 0
    pages: int = 0

    def state_after(self, page: Page) -> tuple[str | None, str | None]:
        """Take in `page`'s update time; the (cursor, updated_since) to store with it."""
        self.through = later(self.through, page.updated_through)
        if page.next_cursor is not None:
            return page.next_cursor, self.since
        if self.kind == "submission" and self.through is not None:
            return None, self.through
        # No update times to go by: start the next run from this last page again.
        return page.cursor, self.since
