"""The record kinds and the batch of verbatim payloads every source hands over.

This is the vocabulary the layers share: sources produce `RecordBatch`es, the warehouse lands
them, the contracts and the intake check records of a `RecordKind`. It imports nothing of the
project, so every layer may import it (see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RecordKind = Literal["unit", "submission", "review"]
RECORD_KINDS: tuple[RecordKind, ...] = ("unit", "submission", "review")


@dataclass(frozen=True)
class FileReceipt:
    """One file a folder collection read: what arrived (size, SHA-256, taken before parsing) and
    how it was read. `unreadable` files became a single `malformed` row naming the file."""

    path: str  # relative to the source folder
    size: int
    sha256: str
    parser: str  # csv, xlsx (with the sheet read), json, jsonl
    encoding: str | None  # text files: utf-8, utf-8-sig, gb18030 (and lines in another encoding)
    unreadable: bool
    payloads: int  # records and malformed rows read from the file
    #: The bytes that arrived, kept in the warehouse under their SHA-256 (a content-addressed
    #: copy), so an audit can show every byte even after the source folder is gone.
    content: bytes = field(default=b"", repr=False, compare=False)


@dataclass
class RecordBatch:
    """Records of one kind, columnar: `source_refs[i]` locates `payloads[i]` in its source.

    `files` holds the receipts of the files whose reading ended in this batch (folder sources).
    """

    kind: RecordKind
    source_refs: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)
    files: list[FileReceipt] = field(default_factory=list)

    def add(self, source_ref: str, payload: str) -> None:
        self.source_refs.append(source_ref)
        self.payloads.append(payload)

    def extend(self, other: RecordBatch) -> None:
        self.source_refs.extend(other.source_refs)
        self.payloads.extend(other.payloads)
        self.files.extend(other.files)

    def __len__(self) -> int:
        return len(self.payloads)
