"""Steward review of quarantined records: release, reject, idempotence and the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from flows.cli.stewardship import history_command, reject_command, release_command
from flows.stewardship import review_record, show_quarantine_list
from tests.cli import unionflow
from tests.conftest import YEAR, Validate, submission_record, unit_record
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


def test_releasing_a_record_with_only_data_errors_is_refused_and_says_what_to_do(
    validate: Validate, registry_db: Path
) -> None:
    validate("submission", submission_record(employees="12人"))
    quarantine_id = _quarantine_id(registry_db, "not_a_number")

    refused = unionflow(
        "quarantine", "release", str(quarantine_id), "--reason", "phoned", "--db", str(registry_db)
    )

    assert refused.code == 2
    line = refused.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in refused.stderr
    assert f"cannot release {quarantine_id}: it breaks not_a_number" in line
    assert "correct the record at the source and collect again" in line
    assert f"unionflow quarantine reject {quarantine_id} --reason" in line
    with open_warehouse(registry_db) as conn:
        assert decision_history(conn, quarantine_id).empty  # nothing recorded


def test_a_release_that_leaves_a_data_error_names_it_and_the_next_step(
    validate: Validate, registry_db: Path
) -> None:
    validate("submission", submission_record(submitted_at=LATE, trainees="many"))
    with open_warehouse(registry_db) as conn:
        (quarantine_id,) = conn.sql("select quarantine_id from quarantine").fetchall()[0]

    released = unionflow(
        "quarantine", "release", str(quarantine_id), "--reason", "extension", "--db", str(registry_db)
    )

    assert released.code == 0, released.stderr
    assert f"released {quarantine_id} (waived late), but it still breaks not_a_number" in released.stdout
    assert "Next: correct the record at the source and collect again" in released.stdout
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


# --------------------------------------------------------------------------------------------------
# Through the command line: list, show and the decision state machine


def test_list_shows_the_records_own_id_and_finds_a_record_by_it(
    validate: Validate, registry_db: Path
) -> None:
    validate("submission", submission_record(submission_id="S-90001", submitted_at=LATE))
    listed = unionflow("quarantine", "list", "--db", str(registry_db))
    assert listed.code == 0, listed.stderr
    assert "S-90001" in listed.stdout and "record" in listed.stdout
    found = unionflow("quarantine", "list", "--record", "S-90001", "--db", str(registry_db))
    assert "Quarantine: 1 records" in found.stdout and "S-90001" in found.stdout
    shown = unionflow("quarantine", "show", "S-90001", "--db", str(registry_db))
    assert shown.code == 0, shown.stderr
    assert "S-90001" in shown.stdout and "late (submitted after the deadline)" in shown.stdout


def test_registry_rows_are_listed_without_a_year_and_with_kind_unit(
    validate: Validate, registry_db: Path
) -> None:
    validate("unit", unit_record("BT-X-0009", level="province"))
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    everything = unionflow("quarantine", "list", "--db", str(registry_db))
    assert everything.code == 0, everything.stderr  # registry rows have no year (was a TypeError)
    assert "BT-X-0009" in everything.stdout and "S-LATE" in everything.stdout
    assert "Quarantine: 2 records" in everything.stdout
    units = unionflow("quarantine", "list", "--kind", "unit", "--db", str(registry_db))
    assert "Quarantine: 1 records" in units.stdout and "BT-X-0009" in units.stdout
    # A year's list keeps the registry's rows: they concern every year.
    year = unionflow("quarantine", "list", "--year", str(YEAR), "--kind", "unit", "--db", str(registry_db))
    assert "Quarantine: 1 records" in year.stdout


def test_kind_must_be_one_of_the_record_kinds(registry_db: Path) -> None:
    bogus = unionflow("quarantine", "list", "--kind", "bogus", "--db", str(registry_db))
    assert bogus.code == 2
    message = " ".join(bogus.stderr.replace("│", " ").split())  # Click's error box, unwrapped
    assert "'bogus' is not one of 'unit', 'submission', 'review'" in message


def test_show_gives_status_decision_history_and_the_payload_pretty_printed(
    validate: Validate, registry_db: Path
) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    quarantine_id = _quarantine_id(registry_db, "late")
    before = unionflow("quarantine", "show", str(quarantine_id), "--db", str(registry_db))
    assert "status" in before.stdout and "pending" in before.stdout and "none yet (pending)" in before.stdout
    unionflow(
        "quarantine",
        "reject",
        str(quarantine_id),
        "--reason",
        "no extension",
        "--by",
        "zhao",
        "--db",
        str(registry_db),
    )
    after = unionflow("quarantine", "show", str(quarantine_id), "--db", str(registry_db))
    assert after.code == 0, after.stderr
    lines = after.stdout.splitlines()
    status = next(line for line in lines if line.startswith("status"))
    assert status.split()[-1] == "rejected"
    assert any("zhao: rejected — no extension" in line for line in lines)
    assert "Asia/Shanghai" in after.stdout
    # Pretty-printed: one field per line, indented, Chinese as it is.
    assert '  "submission_id": "S-LATE",' in lines
    assert any(line.startswith('  "summary": "全年开展') for line in lines)


def test_a_rejection_is_final_until_reopened(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    qid = str(_quarantine_id(registry_db, "late"))
    db = ["--db", str(registry_db)]
    assert unionflow("quarantine", "reject", qid, "--reason", "no extension", *db).code == 0
    refused = unionflow("quarantine", "release", qid, "--reason", "changed my mind", *db)
    assert refused.code == 2
    assert "a rejection is final" in refused.stderr and f"unionflow quarantine reopen {qid}" in refused.stderr
    assert _accepted_ids(registry_db) == []
    pending = unionflow("quarantine", "reopen", qid, "--reason", "the office granted an extension", *db)
    assert pending.code == 0, pending.stderr
    assert f"reopened {qid}: pending again" in pending.stdout
    listed = unionflow("quarantine", "list", *db)
    assert "pending (reopened)" in listed.stdout
    released = unionflow("quarantine", "release", qid, "--reason", "extension granted", *db)
    assert released.code == 0 and _accepted_ids(registry_db) == ["S-LATE"]
    with open_warehouse(registry_db) as conn:
        trail = list(decision_history(conn, int(qid))["decision"])
    assert trail == ["rejected", "reopened", "released"]


def test_only_a_rejected_record_can_be_reopened(validate: Validate, registry_db: Path) -> None:
    validate("submission", submission_record(submission_id="S-LATE", submitted_at=LATE))
    qid = str(_quarantine_id(registry_db, "late"))
    refused = unionflow("quarantine", "reopen", qid, "--reason", "why", "--db", str(registry_db))
    assert refused.code == 2 and f"only a rejected record can be reopened; {qid} is pending" in refused.stderr
