"""Steward decisions on quarantined records: the audit table, statuses and the waivers they imply.

Decisions are append-only rows of `quarantine_decisions` (migration 002). The *latest* decision of
a quarantine id is its status; a `released` status waives the procedural rules recorded with it
when the record is validated again (`waivers`, passed into `YearContext.waivers`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from unionflow.next_step import RunCommand
from warehouse.connection import WarehouseError
from warehouse.sql import first_row, records, run, statement

if TYPE_CHECKING:
    import pandas as pd  # only in annotations: reading a row needs no pandas (issue 15)

#: Rules a steward may waive by releasing a record: procedural, not data errors. Anything else
#: (e.g. `not_a_number`) must be corrected at the source and collected again.
WAIVABLE_RULES = ("conflicting_duplicate", "late", "unassigned")

DECISIONS = ("released", "rejected", "reopened")


class StewardRefused(WarehouseError):
    """A decision the state machine does not allow (exit 2 on the CLI, nothing recorded)."""


def check_transition(quarantine_id: int, current: Decision | None, decision: str) -> None:
    """Refuse a decision the state machine does not allow from the record's current status.

    pending (no decision, or reopened) → released | rejected; released → rejected (withdraws the
    waiver); rejected is final, except for `reopen`, which makes it pending again. Repeating the
    decision in force is handled by the caller (an idempotent no-op).
    """
    state = "pending" if current is None or current.decision == "reopened" else current.decision
    if decision == "reopened":
        if state != "rejected":
            raise StewardRefused(f"only a rejected record can be reopened; {quarantine_id} is {state}")
        return
    if state == "rejected":
        assert current is not None
        raise StewardRefused(
            f"{quarantine_id} was rejected by {current.decided_by} ({current.reason}); a rejection is final",
            next_steps=(RunCommand.of("quarantine", "reopen", quarantine_id, "--reason", "…"),),
        )


@dataclass(frozen=True)
class Decision:
    """One recorded steward decision."""

    decision_id: int
    quarantine_id: int
    record_kind: str
    year: int | None
    unit_id: str | None
    decision: str
    reason: str
    decided_by: str
    decided_at: dt.datetime
    rules: str
    waived_rules: str
    outcome: str
    remaining: str | None


def _decision(row: dict[str, object]) -> Decision:
    import pandas as pd  # the row comes from a DataFrame (`latest_decision`)

    def optional_int(value: object) -> int | None:
        return None if value is None or pd.isna(value) else int(str(value))

    def optional_str(value: object) -> str | None:
        return None if value is None or pd.isna(value) else str(value)

    return Decision(
        decision_id=int(str(row["decision_id"])),
        quarantine_id=int(str(row["quarantine_id"])),
        record_kind=str(row["record_kind"]),
        year=optional_int(row["year"]),
        unit_id=optional_str(row["unit_id"]),
        decision=str(row["decision"]),
        reason=str(row["reason"]),
        decided_by=str(row["decided_by"]),
        decided_at=pd.Timestamp(row["decided_at"]).to_pydatetime(),
        rules=str(row["rules"]),
        waived_rules=str(row["waived_rules"]),
        outcome=str(row["outcome"]),
        remaining=optional_str(row["remaining"]),
    )


def latest_decision(conn: duckdb.DuckDBPyConnection, quarantine_id: int) -> Decision | None:
    """The newest decision on a quarantine id, or None if no steward has decided yet."""
    frame = conn.sql(
        statement("latest_quarantine_decision"),
        params={"id": quarantine_id},
    ).df()
    return None if frame.empty else _decision(frame.iloc[0].to_dict())


def decision_history(conn: duckdb.DuckDBPyConnection, quarantine_id: int | None = None) -> pd.DataFrame:
    """Every decision (or those on one quarantine id), oldest first."""
    return conn.sql(
        statement("quarantine_decisions"),
        params={"id": quarantine_id},
    ).df()


def decision_rows(conn: duckdb.DuckDBPyConnection, quarantine_id: int) -> list[dict[str, object]]:
    """`decision_history` of one quarantine id as DuckDB rows (no pandas: `quarantine show`)."""
    return records(conn, statement("quarantine_decisions"), {"id": quarantine_id})


def decision_statuses(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """quarantine_id → latest decision (`released`/`rejected`), who took it and when."""
    return conn.sql(statement("quarantine_decision_status")).df()


def waivers(conn: duckdb.DuckDBPyConnection, kind: str, year: int | None) -> pd.DataFrame | None:
    """Rules waived by releases for a kind (and year): payload_id, rule; None when there are none.

    Only payloads whose latest decision is `released` count: a later `reject` withdraws the waiver.
    """
    scope = None if kind == "unit" else year
    frame = conn.sql(
        statement("released_rules"),
        params={"kind": kind, "year": scope},
    ).df()
    return None if frame.empty else frame


def record_decision(
    conn: duckdb.DuckDBPyConnection,
    *,
    quarantine_id: int,
    record_kind: str,
    year: int | None,
    unit_id: str | None,
    decision: str,
    reason: str,
    decided_by: str,
    rules: str,
    waived_rules: str,
    outcome: str,
    remaining: str | None,
) -> int:
    """Append one decision; returns its id (sequential, so a fresh warehouse stays deterministic)."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    row = first_row(conn, statement("next_quarantine_decision_id"))
    decision_id = int(row[0]) if row else 1
    run(
        conn,
        statement("record_quarantine_decision"),
        [
            decision_id,
            quarantine_id,
            record_kind,
            year,
            unit_id,
            decision,
            reason,
            decided_by,
            dt.datetime.now(dt.UTC),
            rules,
            waived_rules,
            outcome,
            remaining,
        ],
    )
    return decision_id


def record_outcome(
    conn: duckdb.DuckDBPyConnection, decision_id: int, outcome: str, remaining: str | None
) -> None:
    """Fill in what re-validation made of a decided record (its status, and what still fails)."""
    run(conn, statement("record_decision_outcome"), [outcome, remaining, decision_id])
