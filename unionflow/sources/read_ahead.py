"""Reading the next batch of a source while the current one is being landed."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def read_ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Yield `items`, producing up to `depth` of them ahead in a background thread.

    Reading and decoding files is Python work, landing is DuckDB work that releases the GIL, so on
    two cores the two overlap (the 1,000,000-unit collection: read 23 s and land 52 s one after
    the other). An error in the reader is raised here, in the caller's thread; if the caller stops
    early, the reader stops at its next batch.
    """
    ahead: queue.Queue[object] = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item: object) -> bool:
        while not stopped.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            put(error)
            return
        put(_DONE)

    reader = threading.Thread(target=produce, name="read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stopped.set()
        reader.join()
