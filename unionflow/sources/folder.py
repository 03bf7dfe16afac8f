"""The folder source of SPEC section 4: units, submissions/ and reviews as files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from unionflow.sources.csv_reading import CsvFile
from unionflow.sources.payloads import (
    RECORD_KINDS,
    FileReceipt,
    RecordBatch,
    RecordKind,
    SourceError,
    payload_text,
)
from unionflow.sources.rows import malformed
from unionflow.sources.tabular import TABULAR_SUFFIXES, iter_item_chunks
from unionflow.sources.text_encoding import FileEncoding, decode_text, detect, foreign_bytes, iter_text_lines
from unionflow.sources.xlsx_reading import XlsxFile

RECORD_SUFFIXES = (".json", ".jsonl", *TABULAR_SUFFIXES)
# Records landed per transaction when reading a folder: bounds memory for very large files.
# Each landing scans the kind's stored hashes once, so fewer, larger batches land faster: at
# 1,000,000 units 500,000 records (about 200 MB of payloads) per batch, not 35 of 200,000.
BATCH_SIZE = 500_000

Item = tuple[str, str]  # (source ref fragment, payload text)


def _inside(folder: Path, path: Path) -> bool:
    # A symlink or odd name must never make us read outside the folder the user named.
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def visible_name(name: str) -> str:
    """A file name as it may appear in refs and messages: characters that do not print (control
    characters, bidi overrides) are written as escapes, so a name cannot hide or reorder text."""
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in name)


def _jsonl_items(path: Path, encoding: FileEncoding) -> Iterator[Item]:
    for number, raw_line in enumerate(iter_text_lines(path, encoding), start=1):
        line = raw_line.rstrip("\r\n")
        if not line.strip():
            continue
        if number in encoding.bad_lines:
            yield f"line={number}", foreign_bytes(encoding, line)
            continue
        try:
            yield f"line={number}", payload_text(orjson.loads(line))
        except orjson.JSONDecodeError:
            yield f"line={number}", line


def _json_items(path: Path) -> Iterator[Item]:
    text = decode_text(path.read_bytes())
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        yield "", text
        return
    if isinstance(document, list):
        for number, item in enumerate(document, start=1):
            yield f"item={number}", payload_text(item)
    else:
        yield "", payload_text(document)


class _File:
    """One file being received: its receipt facts (taken before parsing) and its reader."""

    def __init__(self, folder: Path, path: Path, fields: frozenset[str] | None) -> None:
        self.path = path
        self.ref = visible_name(path.relative_to(folder).as_posix())
        # The bytes are read once, before parsing: their SHA-256 and the kept copy are of the
        # same bytes, whatever happens to the file afterwards.
        self.content = path.read_bytes()
        self.size = len(self.content)
        self.sha256 = hashlib.sha256(self.content).hexdigest()
        self.suffix = path.suffix.lower()
        self.fields = fields
        self.encoding: FileEncoding | None = None
        self.xlsx: XlsxFile | None = None
        self.payloads = 0
        self.unreadable = False

    def items(self) -> Iterator[Item]:
        if self.size == 0:
            # Nothing arrived but a name: say so, so an upload that failed is noticed.
            self.unreadable = True
            yield "", malformed("the file is empty (0 bytes)", _file=self.ref)
            return
        if self.suffix == ".xlsx":
            self.xlsx = XlsxFile(self.path, self.fields, {"_file": self.ref, "_sha256": self.sha256})
            yield from self.xlsx.items()
            self.unreadable = self.xlsx.unreadable
            return
        if self.suffix == ".json":
            yield from _json_items(self.path)
            return
        self.encoding = detect(self.path)
        if self.suffix == ".jsonl":
            yield from _jsonl_items(self.path, self.encoding)
            return
        reader = CsvFile(self.path, self.encoding)
        yield from reader.items()

    def receipt(self) -> FileReceipt:
        parser = self.suffix.lstrip(".")
        if self.xlsx is not None and self.xlsx.sheet is not None:
            parser = f"xlsx (sheet {visible_name(self.xlsx.sheet)!r})"
        return FileReceipt(
            path=self.ref,
            size=self.size,
            sha256=self.sha256,
            parser=parser,
            encoding=None if self.encoding is None else self.encoding.label,
            unreadable=self.unreadable,
            payloads=self.payloads,
            content=self.content,
        )


def iter_file_chunks(
    folder: Path, path: Path, kind: RecordKind, fields: frozenset[str] | None = None
) -> Iterator[RecordBatch]:
    """Every record of one file with its source ref, in chunks, streamed where the format allows.

    A region that cannot be read as a record (unparseable JSON, a damaged workbook, a quote
    runaway, bytes in another encoding) becomes a payload of its own, quarantined later as
    `malformed`. The last chunk carries the file's receipt. `fields` (the kind's field names and
    Chinese headers) picks an XLSX file's sheet.
    """
    file = _File(folder, path, fields)
    for fragments, payloads in iter_item_chunks(file.items()):
        file.payloads += len(payloads)
        refs = [f"{file.ref}#{fragment}" if fragment else file.ref for fragment in fragments]
        yield RecordBatch(kind, refs, payloads)
    yield RecordBatch(kind, files=[file.receipt()])


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


def iter_kind_batches(
    folder: Path, kind: RecordKind, size: int = BATCH_SIZE, fields: frozenset[str] | None = None
) -> Iterator[RecordBatch]:
    """Every record of one kind in batches of about `size`, streamed, in a deterministic order,
    with the receipts of the files read.

    Only one batch (and one file chunk) is held in memory at a time, whatever the size of the files.
    """
    batch = RecordBatch(kind)
    for path in kind_files(folder, kind):
        for chunk in iter_file_chunks(folder, path, kind, fields):
            batch.extend(chunk)
            if len(batch) >= size:
                yield batch
                batch = RecordBatch(kind)
    if len(batch) or batch.files:
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
