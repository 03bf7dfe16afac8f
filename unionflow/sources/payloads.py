"""The verbatim payload text of one received record, and the batches sources hand over."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

RecordKind = Literal["unit", "submission", "review"]
RECORD_KINDS: tuple[RecordKind, ...] = ("unit", "submission", "review")


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


@dataclass
class RecordBatch:
    """Records of one kind, columnar: `source_refs[i]` locates `payloads[i]` in its source."""

    kind: RecordKind
    source_refs: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)

    def add(self, source_ref: str, payload: str) -> None:
        self.source_refs.append(source_ref)
        self.payloads.append(payload)

    def extend(self, other: RecordBatch) -> None:
        self.source_refs.extend(other.source_refs)
        self.payloads.extend(other.payloads)

    def __len__(self) -> int:
        return len(self.payloads)
