"""Property: whatever arrives, validation never crashes and every record is accounted for."""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expectations.fields import FIELDS
from tasks.collect import default_deadline, validate_kind
from tests.conftest import REGISTRY, review_record, submission_record, unit_record
from unionflow.sources.payloads import RecordBatch, RecordKind
from warehouse.collections import start_collection
from warehouse.migrations import migrate
from warehouse.payloads import land

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        ["１２００", "1,200", "12人", "N/A", "", " ", "1e5", "-0", "0.005", "2025-12-20T10:00:00+08:00"]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def mutated(base: dict[str, Any], kind: RecordKind) -> st.SearchStrategy[Any]:
    names = [f.name for f in FIELDS[kind]]
    changes = st.dictionaries(st.sampled_from(names), json_values, max_size=6)
    return st.one_of(changes.map(lambda c: {**base, **c}), st.text(max_size=40), json_values)


@functools.cache
def registry_warehouse() -> Path:
    """A warehouse file holding the validated four-unit registry (collection 1), made once.

    Every example starts from a copy of it: migrating and validating the registry again would be
    most of an example's time and is the same work each time.
    """
    path = Path(tempfile.mkdtemp(prefix="contract-properties-")) / "registry.duckdb"
    with duckdb.connect(str(path)) as conn:
        migrate(conn)
        registry = RecordBatch(
            "unit",
            [f"r{i}" for i in range(len(REGISTRY))],
            [orjson.dumps(unit_record(r[0])).decode() for r in REGISTRY],
        )
        land(conn, registry, year=None, source="test", collection_id=start_collection(conn, None, "test"))
        validate_kind(conn, "unit", None, None)
    return path


def account(kind: RecordKind, items: list[Any]) -> None:
    copy = Path(tempfile.mkdtemp(prefix="contract-example-")) / "warehouse.duckdb"
    shutil.copyfile(registry_warehouse(), copy)
    try:
        _account(kind, items, copy)
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def _account(kind: RecordKind, items: list[Any], db: Path) -> None:
    with duckdb.connect(str(db)) as conn:
        batch = RecordBatch(kind)
        for number, item in enumerate(items):
            # The standard library writes integers of any size, as a portal or a file may.
            text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            batch.add(f"item={number}", text)
        scope = None if kind == "unit" else 2025
        landing = land(
            conn, batch, year=scope, source="test", collection_id=start_collection(conn, 2025, "test")
        )
        verdict = validate_kind(conn, kind, 2025, default_deadline(2025))
        mine = verdict.status[verdict.status["collection_id"] == 2]
        assert len(mine) == landing.stored
        assert set(mine["status"]) <= {"accepted", "quarantined", "superseded", "replayed"}
        quarantined = set(verdict.quarantine["payload_id"])
        assert quarantined == set(mine.loc[mine["status"] == "quarantined", "payload_id"])
        assert verdict.quarantine["rule"].str.len().gt(0).all()
        assert verdict.quarantine["message"].str.len().gt(0).all()


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(mutated(submission_record(), "submission"), min_size=1, max_size=6))
def test_any_submission_payloads_are_all_accounted_for(items: list[Any]) -> None:
    account("submission", items)


@FAST
@given(st.lists(mutated(review_record(), "review"), min_size=1, max_size=6))
def test_any_review_payloads_are_all_accounted_for(items: list[Any]) -> None:
    account("review", items)


@FAST
@given(st.lists(mutated(unit_record("BT-C-0009"), "unit"), min_size=1, max_size=6))
def test_any_unit_payloads_are_all_accounted_for(items: list[Any]) -> None:
    account("unit", items)
