"""Steward commands: reading the quarantine, and the release / reject / reopen decisions.

Decisions follow a small state machine (docs/validation.md, "Quarantine review"):

    pending ──release──▶ released ──reject──▶ rejected ──reopen──▶ pending
       └──────reject─────────────────────────────▲

A rejection is final unless a steward reopens it (audited, with a reason); a release that cannot
waive anything is refused, saying what to do instead. Every time is shown in Asia/Shanghai.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from expectations.fields import FIELDS, RECORD_KEY, json_path
from expectations.rules import RULES
from flows.reading import reading
from unionflow.reports.catalogue import catalogue
from warehouse.connection import WarehouseError, open_warehouse
from warehouse.quarantine import RecordKeys, quarantine_records, quarantined_record
from warehouse.stewardship import WAIVABLE_RULES, Decision, StewardRefused, check_transition, latest_decision

CAT = catalogue("en")


def record_keys() -> RecordKeys:
    """Where each kind's own id sits in a payload: its English key and its Chinese header."""
    keys: dict[str, tuple[str, str]] = {}
    for kind, key in RECORD_KEY.items():
        field = next(f for f in FIELDS[kind] if f.name == key)
        keys[kind] = (json_path(field.name), json_path(field.zh))
    return keys


def _missing(value: object) -> bool:
    # None from DuckDB rows; NaN (and NaT, unequal to itself) from a DataFrame's.
    return value is None or value != value


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _year(value: object) -> str:
    return "" if _missing(value) else str(int(str(value)))


def list_status(decision: object) -> str:
    """The status column of `quarantine list` for a record still in quarantine.

    `released` there means the release waived what it could and a data error remains.
    """
    value = _text(decision) or "pending"
    if value == "reopened":
        return "pending (reopened)"
    return "released, still failing" if value == "released" else value


def show_quarantine_list(
    console: Console,
    db: Path,
    *,
    year: int | None,
    rule: str | None,
    kind: str | None,
    limit: int,
    record_id: str | None = None,
) -> None:
    """Print quarantined records as a table (own record id, status), with how many matched."""
    if rule is not None and rule not in RULES:
        raise WarehouseError(f"unknown rule {rule!r}; rule codes are: {', '.join(RULES)}")
    with reading(db) as conn:
        rows = quarantine_records(
            conn, record_keys(), year=year, rule=rule, kind=kind, record_id=record_id, limit=limit
        )
    total = int(str(rows[0]["total"])) if rows else 0
    title = f"Quarantine: {total} records" + (f" (first {len(rows)})" if total > len(rows) else "")
    table = Table(title=title)
    for column in ("id", "record", "kind", "source", "unit", "year", "rule", "status", "message"):
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = (
            str(row["quarantine_id"]),
            _text(row["record_id"]),
            str(row["record_kind"]),
            str(row["source_ref"]),
            _text(row["unit_id"]),
            _year(row["year"]),
            str(row["rule"]),
            list_status(row["decision"]),
            str(row["message"]),
        )
        table.add_row(*(Text(cell) for cell in cells))  # Text: a payload's text is never markup
    console.print(table)
    if not total:
        console.print("no quarantined record matches", highlight=False)


def resolve_id(conn: duckdb.DuckDBPyConnection, reference: str) -> int:
    """A quarantine id from what a steward typed: the id itself, or the record's own id
    (`S-90001`); one line naming the candidates when a record id is ambiguous."""
    if reference.isdigit():
        return int(reference)
    found = quarantine_records(conn, record_keys(), record_id=reference)
    if not found:
        raise WarehouseError(f"no quarantined record with id {reference}")
    if len(found) > 1:
        ids = ", ".join(str(row["quarantine_id"]) for row in found)
        raise WarehouseError(
            f"record {reference} is quarantined {len(found)} times (ids {ids}); name one of them"
        )
    return int(str(found[0]["quarantine_id"]))


def _pretty(payload: str) -> str:
    try:
        return json.dumps(json.loads(payload), ensure_ascii=False, indent=2)
    except ValueError:
        return payload


def show_quarantined_record(console: Console, db: Path, reference: str) -> None:
    """Print one quarantined record: id, status, rules in words, provenance, decision history and
    the verbatim payload, pretty-printed."""
    from warehouse.stewardship import decision_rows

    with reading(db) as conn:
        quarantine_id = resolve_id(conn, reference)
        record = quarantined_record(conn, quarantine_id)
        listed = quarantine_records(conn, record_keys(), quarantine_id=quarantine_id)
        history = decision_rows(conn, quarantine_id)
    if record is None or not listed:
        raise WarehouseError(f"no quarantined record with id {reference}")
    row = listed[0]
    lines = [
        ("id", str(quarantine_id)),
        ("record", _text(row["record_id"])),
        ("kind", str(record["record_kind"])),
        ("status", list_status(row["decision"])),
        ("unit", _text(record["unit_id"])),
        ("year", _year(record["year"])),
        ("source", f"{record['source']} · {record['source_ref']}"),
        ("received", f"{CAT.time(record['received_at'])} · sha256 {record['sha256']}"),
        ("rules", "; ".join(f"{r} ({CAT.code('rule_help', r)})" for r in str(record["rule"]).split(";"))),
        ("message", str(record["message"])),
    ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        console.print(Text.assemble((f"{key:<{width}}  ", "bold"), value), soft_wrap=True)
    console.print(Text("decisions", style="bold"))
    if not history:
        console.print("  none yet (pending)", highlight=False)
    for d in history:
        remaining = d["remaining"]
        outcome = f" → {d['outcome']}" + (f" ({remaining})" if isinstance(remaining, str) else "")
        console.print(
            Text(
                f"  {d['decision_id']}. {CAT.time(d['decided_at'])} {d['decided_by']}: {d['decision']} — "
                f"{d['reason']}{outcome}"
            ),
            soft_wrap=True,
        )
    console.print(Text("payload", style="bold"))
    console.print(Text(_pretty(str(record["payload"]))), soft_wrap=True)


@dataclass(frozen=True)
class ReviewResult:
    """What a decision did: the decision in force and whether this call recorded it."""

    decision: Decision
    recorded: bool  # False: the same decision was already in force (idempotent no-op)

    def message(self) -> str:
        """One line for the steward, with the next step when there is one."""
        d = self.decision
        if not self.recorded:
            return (
                f"already {d.decision} {d.quarantine_id} (by {d.decided_by} at {CAT.time(d.decided_at)}: "
                f"{d.reason}); nothing recorded"
            )
        if d.decision == "rejected":
            return f"rejected {d.quarantine_id}; it stays out of the accepted data (decision {d.decision_id})"
        if d.decision == "reopened":
            return (
                f"reopened {d.quarantine_id}: pending again (decision {d.decision_id}); release or reject it "
                f"with `unionflow quarantine release|reject {d.quarantine_id} --reason …`"
            )
        waived = f" (waived {d.waived_rules.replace(';', ', ')})" if d.waived_rules else ""
        if d.outcome == "quarantined":
            scope = f" --year {d.year}" if d.year is not None else ""
            return (
                f"released {d.quarantine_id}{waived}, but it still breaks {d.remaining}; it stays in "
                f"quarantine. Next: correct the record at the source and collect again "
                f"(`unionflow collect{scope} --source …`), or reject it "
                f"(`unionflow quarantine reject {d.quarantine_id} --reason …`)"
            )
        rescore = f"; re-score with `unionflow score --year {d.year}`" if d.year is not None else ""
        return (
            f"released {d.quarantine_id}{waived}: re-validated, now {d.outcome} "
            f"(decision {d.decision_id}){rescore}"
        )


def _subject(conn: duckdb.DuckDBPyConnection, quarantine_id: int) -> dict[str, object]:
    """The record a decision is about: from the quarantine, or from an earlier decision (a released
    record that was accepted has left the quarantine but can still be rejected)."""
    record = quarantined_record(conn, quarantine_id)
    if record is not None:
        return {
            "record_kind": str(record["record_kind"]),
            "year": None if _missing(record["year"]) else int(str(record["year"])),
            "unit_id": None if _missing(record["unit_id"]) else str(record["unit_id"]),
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


def _refuse_pointless_release(quarantine_id: int, rules: list[str]) -> None:
    """A release waives procedural rules only; with none to waive it would change nothing."""
    if any(r in WAIVABLE_RULES for r in rules):
        return
    broken = ", ".join(f"{r} ({CAT.code('rule_help', r)})" for r in rules)
    raise StewardRefused(
        f"cannot release {quarantine_id}: it breaks {broken}, which a release cannot waive (only "
        f"{', '.join(WAIVABLE_RULES)} can be); correct the record at the source and collect again, "
        f"or reject it with `unionflow quarantine reject {quarantine_id} --reason …`"
    )


def review_record(db: Path, reference: str | int, decision: str, reason: str, by: str) -> ReviewResult:
    """Release, reject or reopen a quarantined record (audited), then re-validate its kind and year
    when the accepted data can change.

    Idempotent: when the latest decision on the id is already `decision`, nothing is recorded.
    Re-validation starts from the raw payloads (`tasks.collect.validate_kind`) with the waivers of
    every release in force, so the warehouse is exactly what collection would give.
    """
    from tasks.collect import default_deadline, validate_kind
    from warehouse.collections import deadline_of
    from warehouse.sql import transaction
    from warehouse.stewardship import record_decision, record_outcome

    if not reason.strip():
        raise WarehouseError("a decision needs a reason (--reason)")
    with open_warehouse(db) as conn:
        quarantine_id = resolve_id(conn, str(reference))
        subject = _subject(conn, quarantine_id)
        current = latest_decision(conn, quarantine_id)
        if current is not None and current.decision == decision:
            return ReviewResult(current, recorded=False)
        check_transition(quarantine_id, current, decision)
        rules = [r for r in str(subject["rules"]).split(";") if r]
        if decision == "released":
            _refuse_pointless_release(quarantine_id, rules)
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
        # Only a release, or a reject withdrawing an earlier release, changes the accepted data.
        if decision == "released" or (decision == "rejected" and not subject["in_quarantine"]):
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
        record_outcome(conn, decision_id, outcome, remaining)
        final = latest_decision(conn, quarantine_id)
    assert final is not None
    return ReviewResult(final, recorded=True)


def show_decision_history(console: Console, db: Path, reference: str | None) -> None:
    """Print every steward decision (or those on one record), oldest first."""
    from warehouse.stewardship import decision_history

    with reading(db) as conn:
        quarantine_id = None
        if reference is not None:
            quarantine_id = resolve_id(conn, reference)
            if (
                quarantined_record(conn, quarantine_id) is None
                and latest_decision(conn, quarantine_id) is None
            ):
                raise WarehouseError(f"no quarantined record with id {reference}")
        rows = decision_history(conn, quarantine_id)
    title = "Decisions" + (f" on {quarantine_id}" if quarantine_id is not None else "") + f": {len(rows)}"
    table = Table(title=title)
    zone = CAT.text("time_zone")
    for column in (
        "#",
        "id",
        "kind",
        "year",
        "decision",
        "by",
        f"at ({zone})",
        "reason",
        "waived",
        "outcome",
    ):
        table.add_column(column, overflow="fold")
    for row in rows.itertuples(index=False):
        outcome = str(row.outcome) + (f" ({row.remaining})" if isinstance(row.remaining, str) else "")
        cells = (
            str(row.decision_id),
            str(row.quarantine_id),
            str(row.record_kind),
            _year(row.year),
            str(row.decision),
            str(row.decided_by),
            CAT.time(row.decided_at).removesuffix(f" {zone}"),
            str(row.reason),
            str(row.waived_rules).replace(";", ", "),
            outcome,
        )
        table.add_row(*(Text(cell) for cell in cells))
    console.print(table)
