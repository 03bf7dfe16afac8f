"""The verbatim payload text of one received record, and the batches sources hand over."""

from __future__ import annotations

from typing import Any

import orjson

# The shared vocabulary lives in unionflow.records (the warehouse may not import sources); it is
# re-exported here for the sources' own callers.
from unionflow.records import RECORD_KINDS, FileReceipt, RecordBatch, RecordKind

__all__ = [
    "RECORD_KINDS",
    "FileReceipt",
    "RecordBatch",
    "RecordKind",
    "SourceError",
    "item_of_payload",
    "payload_text",
]


class SourceError(Exception):
    """A source the user named cannot be read (missing folder, unreadable file): exit code 2."""


def payload_text(item: Any) -> str:
    """The text stored for a received item.

    A JSON string item is stored as its text (so an unparseable line served by the portal as a
    string lands exactly as the folder source lands it); anything else as compact JSON with its key
    order preserved. Both sources use this one function, so the same record gets the same SHA-256
    whether it came from a file or over HTTP.
    """
    if isinstance(item, str):
        return item
    return orjson.dumps(item).decode("utf-8")


def item_of_payload(payload: str) -> Any:
    """Inverse of `payload_text` for serving a stored payload as a JSON item (the portal)."""
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload
    # A payload that parses to a JSON string was stored as its text, never quoted; serve it raw.
    return payload if isinstance(value, str) else value
