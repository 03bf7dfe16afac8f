"""The portal cursor state machine on its own (pure: no server, no warehouse)."""

from __future__ import annotations

import pytest

from unionflow.sources.payloads import SourceError
from unionflow.sources.portal_client import ClientSettings
from unionflow.sources.portal_cursor import (
    CollectionState,
    CursorWalk,
    LoopGuards,
    Page,
    PaginationLoop,
    Verdict,
)


def page(cursor: str | None, next_cursor: str | None, items: int = 1, through: str | None = None) -> Page:
    return Page("review", cursor, next_cursor, list(range(items)), through, attempts=1)


def walk_through(walk: CursorWalk, answers: list[tuple[str | None, int]]) -> list[Verdict]:
    verdicts = []
    for next_cursor, items in answers:
        verdict = walk.judge(next_cursor, items)
        verdicts.append(verdict)
        if verdict is not Verdict.STALE:
            walk.advance(page(walk.cursor, next_cursor, items))
    return verdicts


def test_pages_are_followed_to_the_last() -> None:
    walk = CursorWalk("review", None)
    assert walk_through(walk, [("a", 2), ("b", 2), (None, 1)]) == [
        Verdict.FOLLOW,
        Verdict.FOLLOW,
        Verdict.LAST,
    ]


def test_a_page_pointing_back_is_stale_and_not_followed() -> None:
    walk = CursorWalk("review", None)
    assert walk_through(walk, [("a", 2), ("a", 2), ("b", 2)]) == [
        Verdict.FOLLOW,
        Verdict.STALE,
        Verdict.FOLLOW,
    ]
    assert walk.cursor == "b"


def test_repeated_cursors_beyond_their_bound_end_the_walk() -> None:
    walk = CursorWalk("review", None, LoopGuards(max_repeated_cursors=2))
    walk_through(walk, [("a", 1), ("b", 1)])
    assert walk.judge("a", 1) is Verdict.STALE
    assert walk.judge("b", 1) is Verdict.STALE
    with pytest.raises(PaginationLoop, match="UNIONFLOW_PORTAL_MAX_REPEATED_CURSORS=2"):
        walk.judge("a", 1)


def test_empty_pages_in_a_row_beyond_their_bound_end_the_walk() -> None:
    walk = CursorWalk("unit", None, LoopGuards(max_empty_pages=3))
    walk_through(walk, [("e1", 0), ("e2", 0), ("e3", 0)])
    with pytest.raises(PaginationLoop, match=r"4 pages in a row without items, .*MAX_EMPTY_PAGES=3"):
        walk.judge("e4", 0)


def test_a_page_with_items_resets_the_empty_count() -> None:
    walk = CursorWalk("unit", None, LoopGuards(max_empty_pages=2))
    verdicts = walk_through(walk, [("e1", 0), ("e2", 0), ("f", 5), ("e3", 0), ("e4", 0), (None, 0)])
    assert verdicts[-1] is Verdict.LAST


def test_submissions_remember_the_last_update_time_after_their_last_page() -> None:
    state = CollectionState("submission", start_cursor=None, since=None)
    assert state.state_after(page(None, "c1", through="2020-01-01T00:00:05+00:00")) == ("c1", None)
    assert state.state_after(page("c1", None, through="2020-01-01T00:00:09+00:00")) == (
        None,
        "2020-01-01T00:00:09+00:00",
    )


def test_reviews_restart_from_their_last_page() -> None:
    state = CollectionState("review", start_cursor=None, since=None)
    assert state.state_after(page("c7", None)) == ("c7", None)


def test_deadlines_and_bounds_come_from_the_environment() -> None:
    settings = ClientSettings.from_env(
        {
            "UNIONFLOW_PORTAL_REQUEST_DEADLINE": "2.5",
            "UNIONFLOW_PORTAL_MAX_EMPTY_PAGES": "7",
            "UNIONFLOW_PORTAL_MAX_REPEATED_CURSORS": "4",
        }
    )
    assert settings.request_deadline == 2.5
    assert settings.guards == LoopGuards(max_empty_pages=7, max_repeated_cursors=4)
    with pytest.raises(SourceError, match="UNIONFLOW_PORTAL_REQUEST_DEADLINE='nan' must be at least"):
        ClientSettings.from_env({"UNIONFLOW_PORTAL_REQUEST_DEADLINE": "nan"})
