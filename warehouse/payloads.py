"""Raw payloads: landing verbatim records and staging them for validation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from unionflow.records import FileReceipt, RecordBatch, RecordKind
from warehouse.sql import first_row, materialise, run, statement, transaction


@dataclass(frozen=True)
class Landing:
    """What landing a batch did: records received, newly stored, and exact replays not stored."""

    received: int
    stored: int

    @property
    def replayed(self) -> int:
        return self.received - self.stored


def land(
    conn: duckdb.DuckDBPyConnection,
    batch: RecordBatch,
    *,
    year: int | None,
    source: str,
    collection_id: int,
    own_transaction: bool = True,
) -> Landing:
    """Store every payload of `batch` verbatim with its source, receipt time and SHA-256, and the
    receipts of the files it ends (folder sources).

    Runs in one transaction, so a page or file is either landed whole or not at all. With
    `own_transaction=False` the caller holds the transaction (the portal lands a page and its
    cursor together; DuckDB cannot nest transactions).
    """
    if not batch.payloads and not batch.files:
        return Landing(0, 0)
    incoming = pa.table(
        {
            "seq": pa.array(range(len(batch.payloads)), pa.int64()),
            "source_ref": pa.array(batch.source_refs, pa.string()),
            "payload": pa.array(batch.payloads, pa.string()),
        }
    )
    params: dict[str, object] = {
        "kind": batch.kind,
        "year": year,
        "source": source,
        "received_at": dt.datetime.now(dt.UTC),
        "collection_id": collection_id,
    }
    conn.register("incoming", incoming)
    conn.register("incoming_files", _receipts(batch.files))
    conn.register("incoming_file_contents", _contents(batch.files))
    try:
        before = _count(conn)
        with transaction(conn) if own_transaction else nullcontext():
            if batch.payloads:
                run(conn, statement("land_payloads"), params)
            if batch.files:
                run(
                    conn,
                    statement("land_received_files"),
                    _only(params, "kind", "received_at", "collection_id"),
                )
                run(conn, statement("land_received_file_contents"), _only(params, "received_at"))
        stored = _count(conn) - before
    finally:
        conn.unregister("incoming")
        conn.unregister("incoming_files")
        conn.unregister("incoming_file_contents")
    return Landing(len(batch.payloads), stored)


def _only(params: dict[str, object], *names: str) -> dict[str, object]:
    # DuckDB refuses named parameters a statement does not use.
    return {name: params[name] for name in names}


def _contents(files: list[FileReceipt]) -> pa.Table:
    return pa.table(
        {
            "sha256": pa.array([f.sha256 for f in files], pa.string()),
            "content": pa.array([f.content for f in files], pa.large_binary()),
        }
    )


def _receipts(files: list[FileReceipt]) -> pa.Table:
    return pa.table(
        {
            "seq": pa.array(range(len(files)), pa.int64()),
            "path": pa.array([f.path for f in files], pa.string()),
            "size_bytes": pa.array([f.size for f in files], pa.int64()),
            "sha256": pa.array([f.sha256 for f in files], pa.string()),
            "parser": pa.array([f.parser for f in files], pa.string()),
            "encoding": pa.array([f.encoding for f in files], pa.string()),
            "unreadable": pa.array([f.unreadable for f in files], pa.bool_()),
            "payloads": pa.array([f.payloads for f in files], pa.int64()),
        }
    )


def count_payloads(conn: duckdb.DuckDBPyConnection, kind: RecordKind, year: int | None) -> int:
    """How many payloads of a kind and year are stored."""
    row = first_row(conn, statement("payload_count"), {"kind": kind, "year": year})
    return int(row[0]) if row else 0


def _count(conn: duckdb.DuckDBPyConnection) -> int:
    row = first_row(conn, statement("raw_payload_count"))
    return int(row[0]) if row else 0


@contextmanager
def staged(
    conn: duckdb.DuckDBPyConnection,
    kind: RecordKind,
    year: int | None,
    paths: dict[str, tuple[str, str]],
    *,
    key: str | None = None,
    parts: int = 1,
) -> Iterator[Callable[[int], pd.DataFrame]]:
    """Stage every stored payload of `kind` and `year` once; yield a reader of one partition.

    `paths` maps a column name to (JSON path, alias path); the text at the path wins, else the
    alias's. Each partition read has payload_id, collection_id, source_ref, is_record (a JSON object
    with named fields), malformed_reason (a reader's reason, or missing), alias_conflicts (the
    fields whose English key and Chinese header disagree: "name", "english", "chinese" dicts) and
    one string column per name, trimmed, blanks missing, in payload order.
    With `parts` > 1, partition `part` holds the payloads whose `key` field hashes to it. The
    staging table is temporary (DuckDB spills it to disk when memory is short) and dropped after.
    """
    key_path, key_alias = paths[key] if key else ("$.none", "$.none")
    params: dict[str, object] = {
        "kind": kind,
        "year": year,
        "paths": [path for path, _ in paths.values()],
        "aliases": [alias for _, alias in paths.values()],
        "key_path": key_path,
        "key_alias": key_alias,
        "parts": parts,
    }
    materialise(conn, "stg_payloads", "staged_payloads", params)
    try:
        yield lambda part: _read_partition(conn, list(paths), part)
    finally:
        run(conn, statement("drop_staged_payloads"))


def _read_partition(conn: duckdb.DuckDBPyConnection, names: list[str], part: int) -> pd.DataFrame:
    table = conn.sql(statement("staged_payload_partition"), params={"part": part}).to_arrow_table()
    extracted = table["fields"]
    # Non-records have no extracted list; give them a list of nulls so every column lines up.
    nulls = pa.scalar([None] * len(names), pa.list_(pa.string()))
    extracted = pc.fill_null(extracted.cast(pa.list_(pa.string())), nulls)
    columns: dict[str, pa.ChunkedArray] = {
        "payload_id": table["payload_id"],
        "collection_id": table["collection_id"],
        "source_ref": table["source_ref"],
        "is_record": table["is_record"],
        "malformed_reason": table["malformed_reason"],
    }
    for position, name in enumerate(names):
        columns[name] = pc.list_element(extracted, position)
    frame = pa.table(columns).to_pandas()
    frame["alias_conflicts"] = _alias_conflicts(table["alias_conflicts"], names)
    return frame


def _alias_conflicts(conflicts: pa.ChunkedArray, names: list[str]) -> list[list[dict[str, str]] | None]:
    # Rare: walk only the rows that have any (a Python list per row would cost at 1,000,000 rows).
    result: list[list[dict[str, str]] | None] = [None] * len(conflicts)
    lengths = pc.fill_null(pc.list_value_length(conflicts), 0).to_numpy(zero_copy_only=False)
    for row in lengths.nonzero()[0]:
        result[row] = [
            {"name": names[both["position"] - 1], "english": both["english"], "chinese": both["chinese"]}
            for both in conflicts[int(row)].as_py()
        ]
    return result
