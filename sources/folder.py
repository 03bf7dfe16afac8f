"""The folder source of SPEC section 4: units, submissions/ and reviews as files."""

from __future__ import annotations

from pathlib import Path

import orjson

from sources.payloads import RECORD_KINDS, RecordBatch, RecordKind, SourceError, payload_text
from sources.tabular import TABULAR_SUFFIXES, decode_text, iter_table_rows

RECORD_SUFFIXES = (".json", ".jsonl", *TABULAR_SUFFIXES)


def _inside(folder: Path, path: Path) -> bool:
    # A symlink or odd name must never make us read outside the folder the user named.
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def read_file(folder: Path, path: Path, kind: RecordKind) -> RecordBatch:
    """Read one record file; unparseable JSON becomes a record of its own (quarantined later)."""
    batch = RecordBatch(kind)
    ref = path.relative_to(folder).as_posix()
    suffix = path.suffix.lower()
    if suffix in TABULAR_SUFFIXES:
        for row, payload in iter_table_rows(path):
            batch.add(f"{ref}#row={row}", payload)
        return batch
    text = decode_text(path.read_bytes())
    if suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                batch.add(f"{ref}#line={number}", payload_text(orjson.loads(line)))
            except orjson.JSONDecodeError:
                batch.add(f"{ref}#line={number}", line)
        return batch
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        batch.add(ref, text)
        return batch
    if isinstance(document, list):
        for number, item in enumerate(document, start=1):
            batch.add(f"{ref}#item={number}", payload_text(item))
    else:
        batch.add(ref, payload_text(document))
    return batch


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


def read_kind(folder: Path, kind: RecordKind) -> RecordBatch:
    """Every record of one kind in a source folder, in a deterministic order.

    Reading one kind at a time keeps only that kind's payloads in memory while they are landed.
    """
    if not folder.is_dir():
        raise SourceError(f"source folder {folder} does not exist")
    batch = RecordBatch(kind)
    if kind == "submission":
        for path in submission_files(folder):
            batch.extend(read_file(folder, path, "submission"))
        return batch
    single = _one_of(folder, "units" if kind == "unit" else "reviews")
    return batch if single is None else read_file(folder, single, kind)


def read_folder(folder: Path) -> dict[RecordKind, RecordBatch]:
    """Every record in a source folder, grouped by kind, in a deterministic order."""
    return {kind: read_kind(folder, kind) for kind in RECORD_KINDS}
