"""Checks run before a flow starts, so user mistakes never surface as a failed flow's traceback."""

from __future__ import annotations

from pathlib import Path

from unionflow.sources.location import is_portal
from unionflow.sources.payloads import SourceError
from warehouse.connection import connect


def check_source(source: str) -> None:
    """A folder source must exist; a portal URL is checked by collection itself."""
    if is_portal(source):
        return
    if not Path(source).is_dir():
        raise SourceError(f"source folder {source} does not exist")


def check_writable(db: Path) -> None:
    """The warehouse must be openable for writing now (not locked by another process)."""
    connect(db).close()
