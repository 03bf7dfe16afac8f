"""Landing the portal's three collections: fetched concurrently, landed page by page with the cursor.

Each page is landed in one transaction together with the collection's new cursor, so a run killed
at any moment resumes after the last landed page and never lands an item twice. DuckDB has one
writer, so the three page streams feed one queue drained by a single landing thread; fetching goes
on while a page is being written. Which cursor is stored with a page is decided by the pure
`unionflow.sources.portal_cursor.CollectionState`; progress goes to the `PageProgress` callback
the caller passes (by default a Rich progress display on stderr when it is a terminal).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from unionflow.sources.payloads import RECORD_KINDS, RecordBatch, RecordKind, payload_text
from unionflow.sources.portal_client import ENDPOINTS, ClientSettings, PortalClient, resolve_token
from unionflow.sources.portal_cursor import CollectionState, Page
from unionflow.sources.portal_settings import SECRET_BLOCK
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


def secret_block_token() -> str | None:
    """The token in the Prefect Secret block `unionflow-portal-token`, or None when there is none.

    Any failure to find or read the block means "no token": the caller's error then names where
    the token may live, and no exception text (which could quote a value) reaches the user.
    """
    try:
        from prefect.blocks.system import Secret

        # `load` is sync-compatible (returns the block when called from sync code); typed loosely.
        secret: Any = Secret.load(SECRET_BLOCK)
        value = secret.get()
    except Exception:
        return None
    return value if isinstance(value, str) else None


def portal_token() -> str:
    """The portal token: env UNIONFLOW_PORTAL_TOKEN, else the Prefect Secret block (never logged)."""
    return resolve_token(fallback=secret_block_token)


#: Progress callback: (kind, records landed by this page, whether the collection is complete).
PageProgress = Callable[[RecordKind, int, bool], None]


def _source_ref(page: Page, number: int) -> str:
    # The portal's own reference when it sends one (the reference portal names the folder file and
    # line, so stewards are pointed where a folder collection points them); else the page and item.
    if page.refs is not None:
        return page.refs[number - 1]
    return f"{ENDPOINTS[page.kind]}@{page.cursor or 'start'}#item={number}"


def _land_page(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    year: int,
    collection_id: int,
    stream: CollectionState,
    page: Page,
) -> Landing:
    """Land one page and the collection's new cursor in one transaction (runs on the landing thread)."""
    batch = RecordBatch(page.kind)
    for number, item in enumerate(page.items, start=1):
        batch.add(_source_ref(page, number), payload_text(item))
    cursor, since = stream.state_after(page)
    scope = _scope(page.kind, year)
    with transaction(conn):
        landing = land(
            conn, batch, year=scope, source=source, collection_id=collection_id, own_transaction=False
        )
        save_cursor(conn, source, page.kind, scope, cursor, since)
    return landing


@contextmanager
def rich_progress(console: Console | None = None) -> Iterator[PageProgress]:
    """A `PageProgress` drawing one spinner line per collection on `console` (default: stderr).

    Pass the command line's own console to nest inside its live status display (Rich allows
    nested live displays on one console; two consoles would overwrite each other's lines).
    """
    console = console or Console(stderr=True)
    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    bars = {kind: display.add_task(f"{ENDPOINTS[kind]}: fetching", total=None) for kind in RECORD_KINDS}

    def report(kind: RecordKind, landed: int, done: bool) -> None:
        if done:
            display.update(bars[kind], description=f"{ENDPOINTS[kind]}: done")
        else:
            display.update(bars[kind], advance=landed)

    with display:
        yield report


async def _collect(
    conn: duckdb.DuckDBPyConnection,
    base_url: str,
    year: int,
    collection_id: int,
    client: PortalClient,
    streams: dict[RecordKind, CollectionState],
    progress: PageProgress,
) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Page | RecordKind] = asyncio.Queue(maxsize=_QUEUE_PAGES)
    log = _logger()

    async def produce(stream: CollectionState) -> None:
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
                    progress(entry, 0, True)
                    continue
                stream = streams[entry.kind]
                landing = await loop.run_in_executor(
                    writer, _land_page, conn, base_url, year, collection_id, stream, entry
                )
                stream.received += landing.received
                stream.stored += landing.stored
                stream.pages += 1
                progress(entry.kind, landing.received, False)
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
    conn: duckdb.DuckDBPyConnection,
    base_url: str,
    year: int,
    collection_id: int,
    progress: PageProgress | None = None,
) -> dict[RecordKind, Landing]:
    """Fetch units, submissions and reviews from the portal at `base_url` and land every page verbatim.

    Returns per kind what this run received (each item once, however often its page was retried or
    served again) and how many payloads were new; the rest are exact replays. Raises `PortalError`
    (a `SourceError`) when the token is refused, the portal stays unavailable after its retries or
    its pages would never end; pages landed before that stay landed and the next run resumes after
    them. `progress` is told about every landed page (default: `rich_progress()` on stderr).
    """
    token = portal_token()
    settings = ClientSettings.from_env()
    streams: dict[RecordKind, CollectionState] = {}
    for kind in RECORD_KINDS:
        cursor, since = cursor_of(conn, base_url, kind, _scope(kind, year))
        streams[kind] = CollectionState(kind, start_cursor=cursor, since=since)
    log = _logger()
    resumed = [ENDPOINTS[kind] for kind, stream in streams.items() if stream.start_cursor or stream.since]
    if resumed:
        log.info("portal %s: continuing from stored cursors for %s", base_url, ", ".join(resumed))

    async def main(report: PageProgress) -> None:
        async with PortalClient(base_url, token, settings) as client:
            try:
                await _collect(conn, base_url, year, collection_id, client, streams, report)
            finally:
                if client.retries:
                    log.info("portal %s: %d requests retried", base_url, client.retries)

    if progress is not None:
        _run(main(progress))
    else:
        with rich_progress() as report:
            _run(main(report))
    for kind, stream in streams.items():
        log.info(
            "%s: %d pages, received %d, new %d", ENDPOINTS[kind], stream.pages, stream.received, stream.stored
        )
    return {kind: Landing(stream.received, stream.stored) for kind, stream in streams.items()}
