"""Landing the portal's three collections: fetched concurrently, landed page by page with the cursor.

Each page is landed in one transaction together with the collection's new cursor, so a run killed
at any moment resumes after the last landed page and never lands an item twice. DuckDB has one
writer, so the three page streams feed one queue drained by a single landing thread; fetching goes
on while a page is being written.

State kept per (portal URL, kind, year) in `collection_cursors` (units use year NULL, as they are
landed):
- while a collection is under way: `cursor` = the next page to fetch, `updated_since` = the filter
  this run started with;
- after its last page: submissions keep `cursor` NULL and `updated_since` = the update time of the
  last item received (`updated_through`), so the next run asks only for newer submissions; units and
  reviews (no `updated_since` in the API) keep the cursor of their last page, which the next run
  fetches again (its items are exact replays, counted `replayed`) before following anything new.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from unionflow.sources.payloads import RECORD_KINDS, RecordBatch, RecordKind, payload_text
from unionflow.sources.portal_client import ENDPOINTS, ClientSettings, Page, PortalClient, resolve_token
from warehouse.collections import cursor_of, save_cursor
from warehouse.payloads import Landing, land
from warehouse.sql import transaction

T = TypeVar("T")
_QUEUE_PAGES = 6  # pages waiting to be landed; bounds memory when the portal is faster than DuckDB


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except Exception:  # outside a flow or task run (benchmarks): plain logging
        return logging.getLogger(__name__)


def _scope(kind: RecordKind, year: int) -> int | None:
    return None if kind == "unit" else year


def _later(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    try:
        return a if dt.datetime.fromisoformat(a) >= dt.datetime.fromisoformat(b) else b
    except ValueError:
        return b  # not comparable: trust the newest answer


@dataclass
class _Stream:
    """Where one collection starts and what it has received so far in this run."""

    kind: RecordKind
    start_cursor: str | None
    since: str | None
    through: str | None = None
    received: int = 0
    stored: int = 0
    pages: int = 0

    def state_after(self, page: Page) -> tuple[str | None, str | None]:
        """The (cursor, updated_since) to store with `page`."""
        if page.next_cursor is not None:
            return page.next_cursor, self.since
        if self.kind == "submission" and self.through is not None:
            return None, self.through
        # No update times to go by: start the next run from this last page again.
        return page.cursor, self.since


def _source_ref(page: Page, number: int) -> str:
    # The portal's own reference when it sends one (the reference portal names the folder file and
    # line, so stewards are pointed where a folder collection points them); else the page and item.
    if page.refs is not None:
        return page.refs[number - 1]
    return f"{ENDPOINTS[page.kind]}@{page.cursor or 'start'}#item={number}"


def _land_page(
    conn: duckdb.DuckDBPyConnection, source: str, year: int, collection_id: int, stream: _Stream, page: Page
) -> Landing:
    """Land one page and the collection's new cursor in one transaction (runs on the landing thread)."""
    batch = RecordBatch(page.kind)
    for number, item in enumerate(page.items, start=1):
        batch.add(_source_ref(page, number), payload_text(item))
    stream.through = _later(stream.through, page.updated_through)
    cursor, since = stream.state_after(page)
    scope = _scope(page.kind, year)
    with transaction(conn):
        landing = land(
            conn, batch, year=scope, source=source, collection_id=collection_id, own_transaction=False
        )
        save_cursor(conn, source, page.kind, scope, cursor, since)
    return landing


def _progress_console() -> Console:
    # Nest inside the command line's own live status display when there is one (rich allows nested
    # live displays on one console; two consoles would overwrite each other's lines).
    cli = sys.modules.get("flows.cli.options")
    console = getattr(cli, "console", None)
    # The command line's console may be a lazy proxy forwarding to a Console; duck typing accepts both.
    if console is not None and callable(getattr(console, "set_live", None)):
        return cast(Console, console)
    return Console(stderr=True)


async def _collect(
    conn: duckdb.DuckDBPyConnection,
    base_url: str,
    year: int,
    collection_id: int,
    client: PortalClient,
    streams: dict[RecordKind, _Stream],
    progress: Progress,
) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Page | RecordKind] = asyncio.Queue(maxsize=_QUEUE_PAGES)
    bars = {kind: progress.add_task(f"{ENDPOINTS[kind]}: fetching", total=None) for kind in RECORD_KINDS}
    log = _logger()

    async def produce(stream: _Stream) -> None:
        pages = client.fetch_pages(stream.kind, _scope(stream.kind, year), stream.start_cursor, stream.since)
        async for page in pages:
            await queue.put(page)
        await queue.put(stream.kind)  # this collection is complete

    # One thread does every DuckDB write: the connection is used by one thread at a time, in order.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="unionflow-land") as writer:

        async def consume() -> None:
            remaining = set(RECORD_KINDS)
            while remaining:
                entry = await queue.get()
                if isinstance(entry, str):
                    remaining.discard(entry)
                    progress.update(bars[entry], description=f"{ENDPOINTS[entry]}: done")
                    continue
                stream = streams[entry.kind]
                landing = await loop.run_in_executor(
                    writer, _land_page, conn, base_url, year, collection_id, stream, entry
                )
                stream.received += landing.received
                stream.stored += landing.stored
                stream.pages += 1
                progress.update(bars[entry.kind], advance=landing.received)
                log.debug(
                    "%s: page %d landed (%d items)", ENDPOINTS[entry.kind], stream.pages, landing.received
                )

        tasks = [asyncio.create_task(produce(stream)) for stream in streams.values()]
        tasks.append(asyncio.create_task(consume()))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception() is not None]
            if failed:
                raise failed[0].exception()  # type: ignore[misc]  # checked not None just above
        finally:
            for pending in tasks:
                pending.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        # Leaving the executor block waits for a landing still in flight before the connection is reused.


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, even if this thread has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as helper:
        return helper.submit(asyncio.run, coroutine).result()


@task(cache_policy=NO_CACHE, name="land-from-portal")
def land_from_portal(
    conn: duckdb.DuckDBPyConnection, base_url: str, year: int, collection_id: int
) -> dict[RecordKind, Landing]:
    """Fetch units, submissions and reviews from the portal at `base_url` and land every page verbatim.

    Returns per kind what this run received (each item once, however often its page was retried or
    served again) and how many payloads were new; the rest are exact replays. Raises `PortalError`
    (a `SourceError`) when the token is refused or the portal stays unavailable after its retries;
    pages landed before that stay landed and the next run resumes after them.
    """
    token = resolve_token()
    settings = ClientSettings.from_env()
    streams: dict[RecordKind, _Stream] = {}
    for kind in RECORD_KINDS:
        cursor, since = cursor_of(conn, base_url, kind, _scope(kind, year))
        streams[kind] = _Stream(kind, start_cursor=cursor, since=since)
    log = _logger()
    resumed = [ENDPOINTS[kind] for kind, stream in streams.items() if stream.start_cursor or stream.since]
    if resumed:
        log.info("portal %s: continuing from stored cursors for %s", base_url, ", ".join(resumed))

    async def main() -> None:
        async with PortalClient(base_url, token, settings) as client:
            try:
                await _collect(conn, base_url, year, collection_id, client, streams, progress)
            finally:
                if client.retries:
                    log.info("portal %s: %d requests retried", base_url, client.retries)

    console = _progress_console()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        _run(main())
    for kind, stream in streams.items():
        log.info(
            "%s: %d pages, received %d, new %d", ENDPOINTS[kind], stream.pages, stream.received, stream.stored
        )
    return {kind: Landing(stream.received, stream.stored) for kind, stream in streams.items()}
