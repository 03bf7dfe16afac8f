"""One interface over both sources: land a year's units, submissions and reviews from `source`.

The flows call `land_source` and never branch on the source kind; the folder and the portal
adapters behind it are the tasks `land_from_folder` and `land_from_portal`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tasks.collect import land_from_folder
from unionflow.records import RECORD_KINDS, RecordKind
from unionflow.sources.location import is_portal
from warehouse.payloads import Landing


def land_source(
    conn: duckdb.DuckDBPyConnection, source: str, year: int, collection_id: int
) -> dict[RecordKind, Landing]:
    """Land every record kind of `year` from `source` verbatim; returns what each kind received.

    Everything lands before anything is validated: landing only stores payloads (in receipt
    order, which fixes their ids), and validation always starts from all stored payloads.
    """
    if is_portal(source):
        from tasks.portal import land_from_portal

        # The three collections are fetched concurrently.
        return land_from_portal(conn, source, year, collection_id)
    return {
        kind: land_from_folder(conn, Path(source), kind, None if kind == "unit" else year, collection_id)
        for kind in RECORD_KINDS
    }
