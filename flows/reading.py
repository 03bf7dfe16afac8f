"""Read-only access for commands that only look (stewards, leadership, checks).

DuckDB refuses a read-only connection from another process while a flow holds the write lock,
so reads fall back to the read snapshot that writing flows refresh, saying so on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.snapshot import open_for_reading


@contextmanager
def reading(db: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, or to its snapshot while a flow writes."""
    with open_for_reading(db) as source:
        notice = source.notice()
        if notice:
            print(notice, file=sys.stderr)
        yield source.conn
