"""Steward commands: reading the quarantine as Rich tables, and releasing or rejecting records.

Release/reject semantics are documented in docs/validation.md ("Quarantine review").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from expectations.rules import RULES
from flows.reading import reading
from warehouse.connection import WarehouseError, open_warehouse
from warehouse.quarantine import count_quarantine, list_quarantine, quarantined_record
from warehouse.stewardship import WAIVABLE_RULES, Decision, decision_statuses, latest_decision


def show_quarantine_list(
    console: Console, db: Path, *, year: int | None, rule: str | None, kind: str | None, limit: int
) -> None:
    """Print quarantined records as a table, with how many matched in all."""
    if rule is not None and rule not in RULES:
        raise WarehouseError(f"unknown rule {rule!r}; rule codes are: {', '.join(RULES)}")
    with reading(db) as conn:
        rows = list_quarantine(conn, year=year, rule=rule, kind=kind, limit=limit)
        total = count_quarantine(conn, year=year, rule=rule, kind=kind)
        statuses = decision_statuses(conn).set_index("quarantine_id")["status"]
    table = Table(
        title=f"Quarantine: {total} records" + (f" (first {len(rows)})" if total > len(rows) else "")
    )
    for column in ("id", "kind", "source", "unit", "year", "rule", "status", "message"):
        table.add_column(column, overflow="fold")
    for row in rows.itertuples(index=False):
        table.add_row(
            str(row.quarantine_id),
            row.record_kind,
            row.source_ref,
            "" if row.unit_id is None or row.unit_id != row.unit_id else str(row.unit_id),
            "" if row.year is None or row.year != row.year else str(int(row.year)),
            row.rule,
            review_status(statuses.get(row.quarantine_id)),
            row.message,
        )
    console.print(table)


def review_status(decision: str | None) -> str:
    """The status column of `quarantine list` for a record still in quarantine.

    No decision: `pending`. Rejected: `rejected`. Released but listed: the release did not clear
    every rule (a data error, not waivable), so it is `released, still failing`.
    """
    if decision is None or decision != decision:  # None or NaN
        return "pending"
    return "released, still failing" if decision == "released" else str(decision)


def show_quarantined_record(console: Console, db: Path, quarantine_id: int) -> None:
    """Print one quarantined record: rules, message, provenance and verbatim payload."""
    with reading(db) as conn:
        record = quarantined_record(conn, quarantine_id)
    if record is None:
        raise WarehouseError(f"no quarantined record with id {quarantine_id}")
    for key in ("quarantine_id", "record_kind", "source", "source_ref", "unit_id", "year", "rule", "message"):
        console.print(f"[bold]{key}[/bold]: {record[key]}", highlight=False, soft_wrap=True)
    console.print(
        f"[bold]received[/bold]: {record['received_at']}  sha256 {record['sha256']}", highlight=False
    )
    console.print("[bold]payload[/bold]:")
    console.print(str(record["payload"]), markup=False, highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class ReviewResult:
    """What a release or reject did: the decision in force and whether this call recorded it."""

    decision: Decision
    recorded: bool  # False: the same decision was already in force (idempotent no-op)

    def message(self) -> str:
        """One line for the steward."""
        d = self.decision
        verb = "released" if d.decision == "released" else "rejected"
        if not self.recorded:
            return (
                f"already {verb} {d.quarantine_id} (by {d.decided_by} at "
                f"{d.decided_at:%Y-%m-%d %H:%M} UTC: {d.reason}); nothing recorded"
            )
        if d.decision == "rejected":
            return f"rejected {d.quarantine_id}; it stays out of the accepted data (decision {d.decision_id})"
        if d.outcome == "quarantined":
            return f"released {d.quarantine_id}, but it still breaks {d.remaining}; it stays in quarantine"
        waived = f" (waived {d.waived_rules.replace(';', ', ')})" if d.waived_rules else ""
        return f"released {d.quarantine_id}{waived}: re-validated, now {d.outcome} (decision {d.decision_id})"


def _subject(conn: duckdb.DuckDBPyConnection, quarantine_id: int) -> dict[str, object]:
    """The record a decision is about: from the quarantine, or from an earlier decision (a released
    record that was accepted has left the quarantine but can still be rejected)."""
    record = quarantined_record(conn, quarantine_id)
    if record is not None:
        return {
            "record_kind": str(record["record_kind"]),
            "year": None if pd.isna(record["year"]) else int(str(record["year"])),
            "unit_id": None if pd.isna(record["unit_id"]) else str(record["unit_id"]),
            "rules": str(record["rule"]),
            "in_quarantine": True,
        }
    earlier = latest_decision(conn, quarantine_id)
    if earlier is None:
        raise WarehouseError(f"no quarantined record with id {quarantine_id}")
    return {
        "record_kind": earlier.record_kind,
        "year": earlier.year,
        "unit_id": earlier.unit_id,
        "rules": earlier.rules,
        "in_quarantine": False,
    }


def review_record(db: Path, quarantine_id: int, decision: str, reason: str, by: str) -> ReviewResult:
    """Release or reject a quarantined record (audited), then re-validate its kind and year.

    Idempotent: when the latest decision on the id is already `decision`, nothing is recorded or
    re-validated. Re-validation starts from the raw payloads (`tasks.collect.validate_kind`) with
    the waivers of every release in force, so the warehouse is exactly what collection would give.
    """
    from tasks.collect import default_deadline, validate_kind
    from warehouse.collections import deadline_of
    from warehouse.sql import run, transaction
    from warehouse.stewardship import record_decision

    if not reason.strip():
        raise WarehouseError("a decision needs a reason (--reason)")
    with open_warehouse(db) as conn:
        subject = _subject(conn, quarantine_id)
        current = latest_decision(conn, quarantine_id)
        if current is not None and current.decision == decision:
            return ReviewResult(current, recorded=False)
        rules = [r for r in str(subject["rules"]).split(";") if r]
        waived = ";".join(r for r in rules if r in WAIVABLE_RULES) if decision == "released" else ""
        kind = str(subject["record_kind"])
        year = subject["year"] if isinstance(subject["year"], int) else None
        with transaction(conn):
            decision_id = record_decision(
                conn,
                quarantine_id=quarantine_id,
                record_kind=kind,
                year=year,
                unit_id=subject["unit_id"] if isinstance(subject["unit_id"], str) else None,
                decision=decision,
                reason=reason.strip(),
                decided_by=by,
                rules=str(subject["rules"]),
                waived_rules=waived,
                outcome="pending",
                remaining=None,
            )
        # A reject of a record still in quarantine changes nothing in the data; anything else
        # (a release, or a reject withdrawing an earlier release) re-derives the kind and year.
        if decision == "released" or not subject["in_quarantine"]:
            # The deadline the year was collected with (a --deadline extension included).
            deadline = (deadline_of(conn, year) or default_deadline(year)) if year is not None else None
            verdict = validate_kind(conn, kind, year, deadline)  # type: ignore[arg-type]
            status = verdict.status.loc[verdict.status["payload_id"] == quarantine_id, "status"]
            outcome = str(status.iloc[0]) if len(status) else "quarantined"
            left = verdict.quarantine[verdict.quarantine["quarantine_id"] == quarantine_id]
            remaining = None if left.empty else f"{left.iloc[0]['rule']}: {left.iloc[0]['message']}"
        else:
            outcome, remaining = "quarantined", None
        # The decision row had to exist before re-validation (it is where the waiver is read from);
        # its outcome is filled in now, once known.
        run(
            conn,
            "update quarantine_decisions set outcome = ?, remaining = ? where decision_id = ?",
            [outcome, remaining, decision_id],
        )
        final = latest_decision(conn, quarantine_id)
    assert final is not None
    return ReviewResult(final, recorded=True)


def show_decision_history(console: Console, db: Path, quarantine_id: int | None) -> None:
    """Print every steward decision (or those on one id), oldest first."""
    from warehouse.stewardship import decision_history

    with reading(db) as conn:
        if quarantine_id is not None and (
            quarantined_record(conn, quarantine_id) is None and latest_decision(conn, quarantine_id) is None
        ):
            raise WarehouseError(f"no quarantined record with id {quarantine_id}")
        rows = decision_history(conn, quarantine_id)
    title = "Decisions" + (f" on {quarantine_id}" if quarantine_id is not None else "") + f": {len(rows)}"
    table = Table(title=title)
    for column in ("#", "id", "kind", "year", "decision", "by", "at (UTC)", "reason", "waived", "outcome"):
        table.add_column(column, overflow="fold")
    for row in rows.itertuples(index=False):
        outcome = str(row.outcome) + (f" ({row.remaining})" if isinstance(row.remaining, str) else "")
        table.add_row(
            str(row.decision_id),
            str(row.quarantine_id),
            str(row.record_kind),
            "" if pd.isna(row.year) else str(int(row.year)),
            str(row.decision),
            str(row.decided_by),
            f"{pd.Timestamp(row.decided_at).tz_convert('UTC'):%Y-%m-%d %H:%M:%S}",
            str(row.reason),
            str(row.waived_rules).replace(";", ", "),
            outcome,
        )
    console.print(table)
