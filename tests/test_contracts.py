"""The record contracts of SPEC section 4: each rule with a record that breaks it and one that passes."""

from __future__ import annotations

import pytest

from tests.conftest import Validate, review_record, rules_of, status_of, submission_record, unit_record

LONG = "很" * 5001


def test_a_clean_submission_is_accepted(validate: Validate) -> None:
    verdict = validate("submission", submission_record())
    assert status_of(verdict) == ["accepted"]
    assert verdict.quarantine.empty


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"employees": None}, "missing_field"),
        ({"employees": ""}, "missing_field"),
        ({"submitted_at": "   "}, "missing_field"),
        ({"employees": "12人"}, "not_a_number"),
        ({"trainees": "N/A"}, "not_a_number"),
        ({"studios": True}, "not_a_number"),
        ({"competitions": 12.5}, "not_a_number"),
        ({"innovation_value_cny": "一百万"}, "not_a_number"),
        ({"submitted_at": "2025-12-20T10:00:00"}, "bad_timestamp"),
        ({"submitted_at": "2025-13-45T10:00:00+08:00"}, "bad_timestamp"),
        ({"submitted_at": "yesterday"}, "bad_timestamp"),
        ({"skill_upgrades": -3}, "out_of_range"),
        ({"employees": 0, "union_members": 0}, "out_of_range"),
        ({"innovation_value_cny": "1000.125"}, "out_of_range"),
        ({"union_members": 1300}, "inconsistent"),
        ({"training_sessions": 30, "trainees": 20}, "inconsistent"),
        ({"competition_finalists": 400}, "inconsistent"),
        ({"studios_city_level": 4}, "inconsistent"),
        ({"proposals_adopted": 211}, "inconsistent"),
        ({"summary": LONG}, "too_long"),
        ({"unit_id": "BT-C-9999"}, "unknown_unit"),
        ({"unit_id": "BT-X-0004"}, "inactive_unit"),
        ({"year": 2024}, "wrong_year"),
        ({"submitted_at": "2026-01-16T00:00:00+08:00"}, "late"),
    ],
)
def test_a_submission_breaking_a_rule_is_quarantined_with_that_rule(
    validate: Validate, changes: dict[str, object], rule: str
) -> None:
    verdict = validate("submission", submission_record(**changes))
    assert rules_of(verdict) == [rule]
    assert status_of(verdict) == ["quarantined"]


@pytest.mark.parametrize(
    "changes",
    [
        {"employees": "１２００"},
        {"employees": "1,200"},
        {"employees": "１，２００"},
        {"employees": " 1200 "},
        {"employees": "1200.0"},
        {"innovation_value_cny": "1,543,000.50"},
        {"innovation_value_cny": 0},
        {"training_sessions": 0, "trainees": 0},
        {"proposals_submitted": 0, "proposals_adopted": 0},
        {"summary": None},
        {"summary": "好" * 5000},
        {"submitted_at": "2026-01-15T23:59:59+08:00"},
        {"submitted_at": "2026-01-15T15:59:59Z"},
        {"unit_id": "BT-X-0003"},
        {"extra_field": "kept in the payload, ignored"},
    ],
)
def test_a_submission_within_the_rules_is_accepted(validate: Validate, changes: dict[str, object]) -> None:
    verdict = validate("submission", submission_record(**changes))
    assert verdict.quarantine.empty, verdict.quarantine["message"].tolist()
    assert status_of(verdict) == ["accepted"]


def test_formatted_numbers_are_stored_as_their_value(validate: Validate) -> None:
    verdict = validate("submission", submission_record(employees="１，２００", union_members="1,100"))
    assert verdict.records.loc[0, "employees"] == 1200
    assert verdict.records.loc[0, "union_members"] == 1100


def test_chinese_headers_are_read_as_their_fields(validate: Validate) -> None:
    english = submission_record()
    chinese = {"申报编号": english.pop("submission_id"), "职工人数": english.pop("employees"), **english}
    verdict = validate("submission", chinese)
    assert status_of(verdict) == ["accepted"]
    assert verdict.records.loc[0, "employees"] == 1200


def test_a_record_breaking_several_rules_lists_them_sorted(validate: Validate) -> None:
    verdict = validate(
        "submission",
        submission_record(skill_upgrades=-1, submitted_at="2026-02-01T09:00:00+08:00", employees="x"),
    )
    assert rules_of(verdict) == ["late;not_a_number;out_of_range"]
    message = verdict.quarantine.loc[0, "message"]
    assert "skill_upgrades -1 is below the minimum 0" in message
    assert "'x' is not a whole number" in message
    assert "after the deadline" in message


def test_a_value_that_is_not_a_number_is_not_also_blamed_by_range_rules(validate: Validate) -> None:
    verdict = validate("submission", submission_record(union_members="很多"))
    assert rules_of(verdict) == ["not_a_number"]


@pytest.mark.parametrize("payload", ["not json at all", "[1, 2, 3]", '"just a string"', "42", "{"])
def test_a_payload_that_is_not_a_record_is_malformed(validate: Validate, payload: str) -> None:
    verdict = validate("submission", payload)
    assert rules_of(verdict) == ["malformed"]
    assert "test#item=1" in verdict.quarantine.loc[0, "message"]


def test_a_csv_row_with_more_cells_than_headers_is_malformed(validate: Validate) -> None:
    verdict = validate("submission", {"_row": ["a", "b", "c"]})
    assert rules_of(verdict) == ["malformed"]


# --- versions: replays, conflicting duplicates, superseded ---------------------------------------


def test_the_same_payload_received_twice_is_stored_once_and_counted_as_replayed(registry_db) -> None:
    from tests.conftest import _batch
    from warehouse.collections import start_collection
    from warehouse.connection import open_warehouse
    from warehouse.payloads import land

    with open_warehouse(registry_db) as conn:
        collection_id = start_collection(conn, 2025, "test")
        first = land(
            conn,
            _batch("submission", [submission_record()] * 2),
            year=2025,
            source="t",
            collection_id=collection_id,
        )
        again = land(
            conn,
            _batch("submission", [submission_record()]),
            year=2025,
            source="t",
            collection_id=collection_id,
        )
    assert (first.received, first.stored, first.replayed) == (2, 1, 1)
    assert (again.received, again.stored, again.replayed) == (1, 0, 1)


def test_of_copies_in_one_batch_the_first_is_stored_with_its_source_ref(registry_db) -> None:
    from tests.conftest import _batch
    from warehouse.collections import start_collection
    from warehouse.connection import open_warehouse
    from warehouse.payloads import land
    from warehouse.sql import run

    other = submission_record(submission_id="S2025-000002")
    with open_warehouse(registry_db) as conn:
        collection_id = start_collection(conn, 2025, "test")
        batch = _batch("submission", [other, submission_record(), other, submission_record()])
        land(conn, batch, year=2025, source="t", collection_id=collection_id)
        stored = run(
            conn,
            "select source_ref, payload_id from raw_payloads where record_kind = 'submission' order by 2",
        )
    assert [ref for ref, _ in stored] == ["test#item=1", "test#item=2"]


def test_the_same_content_written_differently_is_a_replay(validate: Validate) -> None:
    as_text = {k: str(v) for k, v in submission_record().items()}
    verdict = validate("submission", submission_record(), as_text)
    assert status_of(verdict) == ["accepted", "replayed"]


def test_the_same_submission_id_with_other_content_is_a_conflicting_duplicate(validate: Validate) -> None:
    verdict = validate("submission", submission_record(), submission_record(employees=1300))
    assert status_of(verdict) == ["accepted", "quarantined"]
    assert rules_of(verdict) == ["conflicting_duplicate"]


def test_the_latest_submission_of_a_unit_counts_and_the_older_is_superseded(validate: Validate) -> None:
    older = submission_record(submission_id="S-OLD", submitted_at="2025-12-01T09:00:00+08:00")
    newer = submission_record(submission_id="S-NEW", submitted_at="2025-12-20T09:00:00+08:00")
    verdict = validate("submission", newer, older)
    records = verdict.records.set_index("submission_id")["status"].to_dict()
    assert records == {"S-NEW": "accepted", "S-OLD": "superseded"}


def test_equal_submission_times_are_decided_by_the_greatest_id(validate: Validate) -> None:
    verdict = validate(
        "submission", submission_record(submission_id="S-B"), submission_record(submission_id="S-A")
    )
    records = verdict.records.set_index("submission_id")["status"].to_dict()
    assert records == {"S-A": "superseded", "S-B": "accepted"}


def test_a_quarantined_submission_never_supersedes_a_valid_one(validate: Validate) -> None:
    valid = submission_record(submission_id="S-A")
    late = submission_record(submission_id="S-B", submitted_at="2026-02-01T09:00:00+08:00")
    verdict = validate("submission", valid, late)
    assert status_of(verdict) == ["accepted", "quarantined"]


# --- reviews --------------------------------------------------------------------------------------


def test_a_clean_review_is_accepted(validate: Validate) -> None:
    assert status_of(validate("review", review_record())) == ["accepted"]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"reviewer_unit_id": "BT-C-0001"}, "self_review"),
        ({"reviewer_unit_id": "BT-X-0003"}, "conflict_of_interest"),
        ({"reviewer_unit_id": "NOBODY-1"}, "unknown_unit"),
        ({"reviewee_unit_id": "NOBODY-1"}, "unknown_unit"),
        ({"reviewer_unit_id": "BT-X-0004"}, "inactive_unit"),
        ({"guidance": 105}, "out_of_range"),
        ({"service": -3}, "out_of_range"),
        ({"skills": "八十"}, "not_a_number"),
        ({"institution": None}, "missing_field"),
        ({"submitted_at": "2025/12/28"}, "bad_timestamp"),
        ({"year": 2024}, "wrong_year"),
        ({"comment": LONG}, "too_long"),
    ],
)
def test_a_review_breaking_a_rule_is_quarantined_with_that_rule(
    validate: Validate, changes: dict[str, object], rule: str
) -> None:
    verdict = validate("review", review_record(**changes))
    assert rules_of(verdict) == [rule]


@pytest.mark.parametrize(
    "changes", [{"guidance": 0}, {"guidance": 100}, {"comment": None}, {"skills": "８５"}]
)
def test_a_review_within_the_rules_is_accepted(validate: Validate, changes: dict[str, object]) -> None:
    verdict = validate("review", review_record(**changes))
    assert verdict.quarantine.empty, verdict.quarantine["message"].tolist()


def test_the_latest_review_of_a_pair_counts(validate: Validate) -> None:
    first = review_record(review_id="R-1", submitted_at="2025-12-20T09:00:00+08:00")
    second = review_record(review_id="R-2", submitted_at="2025-12-21T09:00:00+08:00", guidance=60)
    verdict = validate("review", first, second)
    records = verdict.records.set_index("review_id")["status"].to_dict()
    assert records == {"R-1": "superseded", "R-2": "accepted"}


def test_a_review_the_reviewer_was_not_assigned_is_unassigned(registry_db, validate: Validate) -> None:
    from warehouse.connection import open_warehouse
    from warehouse.sql import run

    with open_warehouse(registry_db) as conn:
        run(conn, "insert into assignments values (2025, 'BT-C-0002', 'BT-X-0003', 1, now())")
    verdict = validate(
        "review", review_record(), review_record(review_id="R-2", reviewee_unit_id="BT-X-0003")
    )
    assert rules_of(verdict) == ["unassigned"]
    assert status_of(verdict) == ["quarantined", "accepted"]


# --- units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"unit_id": "bt-c-1"}, "out_of_range"),
        ({"level": "province"}, "out_of_range"),
        ({"sector": "army"}, "out_of_range"),
        ({"batch": "4"}, "out_of_range"),
        ({"batch": "一"}, "not_a_number"),
        ({"name": ""}, "missing_field"),
        ({"district": None}, "missing_field"),
        ({"active_from": "2024", "active_to": "2022"}, "inconsistent"),
    ],
)
def test_a_unit_breaking_a_rule_is_quarantined_with_that_rule(
    validate: Validate, changes: dict[str, object], rule: str
) -> None:
    unit_id = str(changes.pop("unit_id", "BT-C-0009"))
    verdict = validate("unit", unit_record(unit_id, **changes))
    assert rules_of(verdict) == [rule]


def test_a_changed_unit_from_a_later_collection_updates_the_registry(validate: Validate) -> None:
    verdict = validate("unit", unit_record("BT-X-0004", active_to="2026"))
    registry = verdict.records.set_index(["unit_id", "status"])
    assert ("BT-X-0004", "accepted") in registry.index
    assert ("BT-X-0004", "superseded") in registry.index
    assert verdict.quarantine.empty


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"employees": 2**70}, "out_of_range"),
        ({"workers_served": "99999999999999999999999"}, "out_of_range"),
        ({"innovation_value_cny": "1000000000000000"}, "out_of_range"),
    ],
)
def test_numbers_too_large_for_the_warehouse_are_out_of_range(
    validate: Validate, changes: dict[str, object], rule: str
) -> None:
    import json

    # Written with the standard library: orjson refuses integers beyond 64 bits, portals may not.
    verdict = validate("submission", json.dumps(submission_record(**changes)))
    assert rules_of(verdict) == [rule]
