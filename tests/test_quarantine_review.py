"""Steward review of quarantined records: release, reject, idempotence and the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from flows.cli.stewardship import history_command, reject_command, release_command
from flows.stewardship import review_record, show_quarantine_list
from tests.conftest import YEAR, Validate, submission_record
from tests.conftest import review_record as a_review
from warehouse.connection import WarehouseError, open_warehouse
from warehouse.sql import run
from warehouse.stewardship import decision_history, decision_statuses, waivers

LATE = "2026-01-20T09:00:00+08:00"


def _quarantine_id(db: Path, rule: str) -> int:
    with open_warehouse(db) as conn:
        rows = conn.sql("select quarantine_id, rule from quarantine order by quarantine_id").df()
    return int(rows.loc[rows["rule"] == rule, "quarantine_id"].iloc[0])


def _accepted_ids(db: Path) -> list[str]:
    with open_warehouse(db) as conn:
        frame = conn.sql("select submission_id from submissions where status = 'accepted' order by 1").df()
    return list(frame["submission_id"])


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("release")(release_command)
    app.command("reject")(reject_command)
    app.command("history")(history_command)
    return app


def test_release_of_a_late_submission_accepts_it_and_is_audited(
    validate: Validate, registry_db: Path
) -> None:
    verdict = validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    assert list(verdict.quarantine["rule"]) == ["late"]
    quarantine_id = _quarantine_id(registry_db, "late")

    result = review_record(registry_db, quarantine_id, "released", "extension granted by the office", "wang")

    assert result.recorded and result.decision.outcome == "accepted"
    assert result.message().startswith(f"released {quarantine_id} (waived late)")
    assert _accepted_ids(registry_db) == ["S-LATE"]
    with open_warehouse(registry_db) as conn:
        history = decision_history(conn, quarantine_id)
        in_quarantine = conn.sql("select count(*) from quarantine").fetchall()[0][0]
        waived = waivers(conn, "submission", YEAR)
    assert in_quarantine == 0
    assert history[["decision", "decided_by", "reason", "waived_rules", "outcome"]].to_dict("records") == [
        {
            "decision": "released",
            "decided_by": "wang",
            "reason": "extension granted by the office",
            "waived_rules": "late",
            "outcome": "accepted",
        }
    ]
    assert waived is not None and waived.to_dict("records") == [{"payload_id": quarantine_id, "rule": "late"}]


def test_release_survives_re_collection(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    review_record(registry_db, _quarantine_id(registry_db, "late"), "released", "extension", "wang")
    # The same payload received again is a replay; re-validation keeps the waiver in force.
    verdict = validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    assert verdict.quarantine.empty
    assert _accepted_ids(registry_db) == ["S-LATE"]


def test_release_of_a_data_error_says_it_still_breaks_the_contract(
    validate: Validate, registry_db: Path
) -> None:
    validate("submission", submission_record(employees="12人"))
    quarantine_id = _quarantine_id(registry_db, "not_a_number")

    result = review_record(registry_db, quarantine_id, "released", "unit confirmed by phone", "li")

    message = result.message()
    assert message.startswith(f"released {quarantine_id}, but it still breaks not_a_number: employees '12人'")
    assert message.endswith("it stays in quarantine")
    assert result.decision.waived_rules == "" and result.decision.outcome == "quarantined"
    assert _accepted_ids(registry_db) == []
    console = Console(record=True, width=250)
    show_quarantine_list(console, registry_db, year=None, rule=None, kind=None, limit=10)
    assert "released, still failing" in console.export_text()


def test_late_and_broken_release_waives_only_late(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submitted_at=LATE, trainees="many"))
    with open_warehouse(registry_db) as conn:
        (quarantine_id,) = conn.sql("select quarantine_id from quarantine").fetchall()[0]
    result = review_record(registry_db, int(quarantine_id), "released", "extension", "li")
    assert result.decision.waived_rules == "late"
    assert result.decision.remaining is not None and result.decision.remaining.startswith("not_a_number:")


def test_reject_is_audited_and_shown_in_the_list(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    quarantine_id = _quarantine_id(registry_db, "late")

    result = review_record(registry_db, quarantine_id, "rejected", "no extension was granted", "zhao")

    assert result.recorded and result.message().startswith(f"rejected {quarantine_id}")
    assert _accepted_ids(registry_db) == []
    with open_warehouse(registry_db) as conn:
        statuses = decision_statuses(conn)
    assert statuses[["quarantine_id", "status", "decided_by"]].to_dict("records") == [
        {"quarantine_id": quarantine_id, "status": "rejected", "decided_by": "zhao"}
    ]
    console = Console(record=True, width=250)
    show_quarantine_list(console, registry_db, year=None, rule=None, kind=None, limit=10)
    text = console.export_text()
    assert "status" in text and "rejected" in text


def test_release_and_reject_are_idempotent(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    quarantine_id = _quarantine_id(registry_db, "late")

    first = review_record(registry_db, quarantine_id, "released", "extension", "wang")
    second = review_record(registry_db, quarantine_id, "released", "extension again", "wang")
    assert first.recorded and not second.recorded
    assert second.message().startswith(f"already released {quarantine_id}")
    assert second.decision.decision_id == first.decision.decision_id

    # Changing one's mind is a new decision: rejecting withdraws the waiver, the record goes back.
    rejected = review_record(registry_db, quarantine_id, "rejected", "extension revoked", "wang")
    again = review_record(registry_db, quarantine_id, "rejected", "extension revoked", "wang")
    assert rejected.recorded and not again.recorded
    assert rejected.decision.outcome == "quarantined"
    assert _accepted_ids(registry_db) == []
    with open_warehouse(registry_db) as conn:
        assert list(decision_history(conn, quarantine_id)["decision"]) == ["released", "rejected"]
        assert waivers(conn, "submission", YEAR) is None


def test_release_of_an_unassigned_review(validate: Validate, registry_db: Path) -> None:
    with open_warehouse(registry_db) as conn:
        # The review below is BT-C-0002 → BT-C-0001: not assigned once the year has assignments.
        run(conn, "insert into assignments values (2025, 'BT-C-0002', 'BT-X-0003', 1, now())")
    verdict = validate("review", a_review())
    assert list(verdict.quarantine["rule"]) == ["unassigned"]
    quarantine_id = _quarantine_id(registry_db, "unassigned")
    result = review_record(
        registry_db, quarantine_id, "released", "assignment changed at the meeting", "wang"
    )
    assert result.decision.outcome == "accepted"


def test_unknown_id_is_one_clear_error(registry_db: Path) -> None:
    with pytest.raises(WarehouseError, match="no quarantined record with id 424242"):
        review_record(registry_db, 424242, "released", "why not", "wang")
    with pytest.raises(WarehouseError, match="needs a reason"):
        review_record(registry_db, 1, "released", "  ", "wang")


def test_cli_commands(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    quarantine_id = _quarantine_id(registry_db, "late")
    runner = CliRunner()
    db = ["--db", str(registry_db)]

    released = runner.invoke(
        _app(), ["release", str(quarantine_id), "--reason", "extension", "--by", "sun", *db]
    )
    assert released.exit_code == 0, released.output
    assert f"released {quarantine_id}" in released.output
    again = runner.invoke(_app(), ["release", str(quarantine_id), "--reason", "extension", *db])
    assert again.exit_code == 0 and "already released" in again.output

    history = runner.invoke(_app(), ["history", str(quarantine_id), *db])
    assert history.exit_code == 0 and "sun" in history.output and "released" in history.output

    unknown = runner.invoke(_app(), ["reject", "999999", "--reason", "x", *db])
    assert isinstance(unknown.exception, WarehouseError)  # the app's main() turns it into exit 2
