"""The folder source of SPEC section 4: units, submissions/ and reviews as files."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import orjson

from unionflow.sources.payloads import RECORD_KINDS, RecordBatch, RecordKind, SourceError, payload_text
from unionflow.sources.tabular import (
    CHUNK_ROWS,
    TABULAR_SUFFIXES,
    cycle_collection_paused,
    decode_text,
    detect_encoding,
    iter_table_chunks,
)

RECORD_SUFFIXES = (".json", ".jsonl", *TABULAR_SUFFIXES)
# Records landed per transaction when reading a folder: bounds memory for very large files.
# Each landing scans the kind's stored hashes once, so fewer, larger batches land faster: at
# 1,000,000 units 500,000 records (about 200 MB of payloads) per batch, not 35 of 200,000.
BATCH_SIZE = 500_000


def _inside(folder: Path, path: Path) -> bool:
    # A symlink or odd name must never make us read outside the folder the user named.
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def iter_file_chunks(folder: Path, path: Path, kind: RecordKind) -> Iterator[RecordBatch]:
    """Every record of one file with its source ref, in chunks, streamed where the format allows.

    Unparseable JSON becomes a record of its own (quarantined later as malformed).
    """
    ref = path.relative_to(folder).as_posix()
    suffix = path.suffix.lower()
    if suffix in TABULAR_SUFFIXES:
        for numbers, payloads in iter_table_chunks(path):
            yield RecordBatch(kind, [f"{ref}#row={number}" for number in numbers], payloads)
        return
    if suffix == ".jsonl":
        encoding, errors = detect_encoding(path)
        with path.open(encoding=encoding, errors=errors, newline="") as handle:
            first = 1
            while True:
                with cycle_collection_paused():
                    lines = list(islice(handle, CHUNK_ROWS))
                    chunk = RecordBatch(kind)
                    for number, raw_line in enumerate(lines, start=first):
                        line = raw_line.rstrip("\r\n")
                        if not line.strip():
                            continue
                        try:
                            chunk.add(f"{ref}#line={number}", payload_text(orjson.loads(line)))
                        except orjson.JSONDecodeError:
                            chunk.add(f"{ref}#line={number}", line)
                if not lines:
                    return
                first += len(lines)
                yield chunk
        return
    text = decode_text(path.read_bytes())
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        yield RecordBatch(kind, [ref], [text])
        return
    if isinstance(document, list):
        yield RecordBatch(
            kind,
            [f"{ref}#item={number}" for number in range(1, len(document) + 1)],
            [payload_text(item) for item in document],
        )
    else:
        yield RecordBatch(kind, [ref], [payload_text(document)])


def _one_of(folder: Path, stem: str) -> Path | None:
    candidates = [folder / f"{stem}{suffix}" for suffix in (".csv", ".xlsx", ".jsonl", ".json")]
    present = [path for path in candidates if path.is_file() and _inside(folder, path)]
    if len(present) > 1:
        names = ", ".join(path.name for path in present)
        raise SourceError(f"{folder}: several {stem} files ({names}); keep exactly one")
    return present[0] if present else None


def submission_files(folder: Path) -> list[Path]:
    """Record files under submissions/, sorted by path (the order records are received in)."""
    directory = folder / "submissions"
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and path.suffix.lower() in RECORD_SUFFIXES and _inside(folder, path)
    )


def kind_files(folder: Path, kind: RecordKind) -> list[Path]:
    """The files holding records of one kind, in the order they are received."""
    if not folder.is_dir():
        raise SourceError(f"source folder {folder} does not exist")
    if kind == "submission":
        return submission_files(folder)
    single = _one_of(folder, "units" if kind == "unit" else "reviews")
    return [] if single is None else [single]


def iter_kind_batches(folder: Path, kind: RecordKind, size: int = BATCH_SIZE) -> Iterator[RecordBatch]:
    """Every record of one kind in batches of about `size`, streamed, in a deterministic order.

    Only one batch (and one file chunk) is held in memory at a time, whatever the size of the files.
    """
    batch = RecordBatch(kind)
    for path in kind_files(folder, kind):
        for chunk in iter_file_chunks(folder, path, kind):
            batch.extend(chunk)
            if len(batch) >= size:
                yield batch
                batch = RecordBatch(kind)
    if len(batch):
        yield batch


def read_kind(folder: Path, kind: RecordKind) -> RecordBatch:
    """Every record of one kind in one batch (small sources, the reference portal)."""
    whole = RecordBatch(kind)
    for batch in iter_kind_batches(folder, kind):
        whole.extend(batch)
    return whole


def read_folder(folder: Path) -> dict[RecordKind, RecordBatch]:
    """Every record in a source folder, grouped by kind, in a deterministic order."""
    return {kind: read_kind(folder, kind) for kind in RECORD_KINDS}
