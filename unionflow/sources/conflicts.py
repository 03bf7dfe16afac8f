"""Declared conflicts of interest between units: a CSV of unit pairs (`assign --conflicts`)."""

from __future__ import annotations

from pathlib import Path

from unionflow.sources.payloads import SourceError
from unionflow.sources.tabular import iter_csv_rows


def read_conflicts(path: Path) -> frozenset[tuple[str, str]]:
    """Declared conflicts from a CSV of unit pairs (the first two columns; header row required)."""
    if not path.is_file():
        raise SourceError(f"conflicts file {path} does not exist")
    import orjson

    pairs = set()
    for row_number, payload in iter_csv_rows(path):
        values = [str(v).strip() for v in orjson.loads(payload).values()]
        if len(values) < 2 or not values[0] or not values[1]:
            raise SourceError(f"{path.name} row {row_number}: a conflict needs two unit ids")
        pairs.add((values[0], values[1]))
    return frozenset(pairs)
