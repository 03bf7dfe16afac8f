"""The `unsafe_text` rule: control characters and bidi overrides never pass into the warehouse."""

from __future__ import annotations

import pytest

from expectations import text_safety
from tests.conftest import Validate, review_record, rules_of, status_of, submission_record, unit_record


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("包头\x00第三医院", "U+0000 control character at character 3"),
        ("ABC\u202eDEF", "U+202E RIGHT-TO-LEFT OVERRIDE at character 4"),
        ("ABC\u2066DEF", "U+2066 LEFT-TO-RIGHT ISOLATE at character 4"),
        ("第三\x1b[31m医院", "U+001B control character at character 3"),
        ("第三\x85医院", "U+0085 control character at character 3"),
        ("第三\t医院", "U+0009 control character at character 3"),
        ("第三\n医院", "U+000A control character at character 3"),
    ],
)
def test_a_unit_name_with_an_unsafe_character_is_quarantined_saying_which_and_where(
    validate: Validate, name: str, shown: str
) -> None:
    verdict = validate("unit", unit_record(name=name))
    assert rules_of(verdict) == ["unsafe_text"]
    assert shown in verdict.quarantine["message"].iloc[0]


def test_free_text_may_hold_tabs_and_line_breaks(validate: Validate) -> None:
    verdict = validate("submission", submission_record(summary="一、培训\r\n二、竞赛\n\t三、服务"))
    assert status_of(verdict) == ["accepted"]


@pytest.mark.parametrize("summary", ["总结\x00", "总结\u202d", "总结\r覆盖", "总结\x07"])
def test_free_text_with_another_control_character_is_quarantined(validate: Validate, summary: str) -> None:
    verdict = validate("submission", submission_record(summary=summary))
    assert rules_of(verdict) == ["unsafe_text"]
    assert "summary holds U+" in verdict.quarantine["message"].iloc[0]


def test_a_review_comment_with_a_bidi_override_is_quarantined(validate: Validate) -> None:
    verdict = validate("review", review_record(comment="很好\u202e差"))
    assert rules_of(verdict) == ["unsafe_text"]


def test_a_message_quoting_an_unsafe_value_shows_it_escaped(validate: Validate) -> None:
    verdict = validate("unit", unit_record(level="city\x00"))
    message = verdict.quarantine["message"].iloc[0]
    assert "\x00" not in message
    assert "\\u0000" in message


def test_visible_escapes_every_unsafe_character_and_keeps_chinese() -> None:
    assert text_safety.visible("包头\x00\u202e市") == "包头\\u0000\\u202e市"


def test_a_quarantine_row_never_carries_a_nul_or_an_override_raw(validate: Validate) -> None:
    verdict = validate(
        "submission",
        submission_record(submission_id="S\x00\u202e1", unit_id="BT-C-\x000001", employees="1\x002"),
    )
    row = verdict.quarantine.iloc[0]
    for column in ("unit_id", "message", "source_ref"):
        assert "\x00" not in row[column] and "\u202e" not in row[column], column
    assert row["unit_id"] == "BT-C-\\u00000001"
