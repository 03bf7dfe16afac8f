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
