"""Planting bad, tricky and implausible submission and registry records.

Every planted bad record breaks exactly the rule codes listed for it: defects go into fields that
take part in no other rule (see `schema.FREE_COUNT_FIELDS`), timestamps stay before the deadline
unless lateness is the point, and so on. Records that replace a unit's clean submission leave that
unit without an accepted submission (grade `missing`), as a quarantined real submission would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from unionflow.synth import texts
from unionflow.synth.planter import (
    DAY,
    DEFECT_RATE,
    FULL_WIDTH,
    OUTLIER_RATE,
    Planter,
    cell,
    free_field,
    payload_of,
    per_kind,
    unknown_unit_ids,
)
from unionflow.synth.records import ExtraRecord, Planted, SubmissionSet
from unionflow.synth.registry import Registry
from unionflow.synth.schema import (
    SUMMARY_MAX_CHARS,
    iso,
    to_epoch,
    window_start,
)

__all__ = ["per_kind", "plant_submission_defects", "unknown_unit_ids"]


# ---------------------------------------------------------------------------------------------
# Submissions


def _plant_type_errors(p: Planter) -> None:
    def text(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = free_field(k)
        payload[field] = "N/A"
        return field, "text 'N/A' in a count field"

    def unit_suffix(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = free_field(k + 1)
        payload[field] = f"{payload[field]}人"
        return field, f"number with a unit suffix: {payload[field]!r}"

    def boolean(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = free_field(k + 2)
        payload[field] = True
        return field, "JSON true in a count field"

    def fraction(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = free_field(k + 3)
        payload[field] = payload[field] + 0.5
        return field, f"fraction {payload[field]} in an integer field"

    p.replace("text_in_number", ["not_a_number"], text)
    p.replace("text_in_number", ["not_a_number"], text, target="xlsx", count=1)
    p.replace("unit_suffix_in_number", ["not_a_number"], unit_suffix)
    p.replace("unit_suffix_in_number", ["not_a_number"], unit_suffix, target="gbk", count=1)
    p.replace("boolean_in_number", ["not_a_number"], boolean)
    p.replace("fraction_in_integer", ["not_a_number"], fraction, target="portal", place="late")


def _plant_range_errors(p: Planter) -> None:
    def negative(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = free_field(k)
        payload[field] = -int(p.gen.integers(1, 20))
        return field, f"negative count {payload[field]}"

    def zero_employees(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        # union_members <= employees must still hold, so it goes to 0 as well.
        payload["employees"] = 0
        payload["union_members"] = 0
        return "employees", "employees 0 (union_members 0 keeps the cross rule satisfied)"

    def three_decimals(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        payload["innovation_value_cny"] = float(f"{payload['innovation_value_cny']:.2f}5")
        return "innovation_value_cny", f"money with 3 decimals: {payload['innovation_value_cny']}"

    p.replace("negative_count", ["out_of_range"], negative)
    p.replace("zero_employees", ["out_of_range"], zero_employees)
    p.replace("money_three_decimals", ["out_of_range"], three_decimals)


def _plant_inconsistencies(p: Planter) -> None:
    def bump(field: str, over: str, detail: str) -> Callable[..., tuple[str | None, str]]:
        def edit(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
            payload[field] = int(payload[over]) + int(p.gen.integers(1, 6))
            return field, f"{detail}: {payload[field]} > {payload[over]}"

        return edit

    p.replace(
        "adopted_gt_submitted",
        ["inconsistent"],
        bump("proposals_adopted", "proposals_submitted", "proposals_adopted > submitted"),
    )
    p.replace(
        "members_gt_employees",
        ["inconsistent"],
        bump("union_members", "employees", "union_members > employees"),
    )
    p.replace(
        "finalists_gt_participants",
        ["inconsistent"],
        bump("competition_finalists", "competition_participants", "competition_finalists > participants"),
    )
    p.replace(
        "city_studios_gt_studios",
        ["inconsistent"],
        bump("studios_city_level", "studios", "studios_city_level > studios"),
    )
    p.replace(
        "sessions_gt_trainees",
        ["inconsistent"],
        bump("training_sessions", "trainees", "training_sessions > trainees (sessions > 0)"),
    )


def _plant_other_errors(p: Planter) -> None:
    year = p.year

    def missing(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = free_field(k)
        del payload[field]
        return field, f"required field {field} absent"

    def no_offset(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        payload["submitted_at"] = str(payload["submitted_at"]).removesuffix("+08:00")
        return "submitted_at", "timestamp without UTC offset"

    def garbage_time(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        payload["submitted_at"] = f"{year}-13-40T08:00:00+08:00"
        return "submitted_at", "impossible date"

    def late(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        payload["submitted_at"] = iso(p.random_time(p.deadline + 3600, p.deadline + 12 * DAY))
        return "submitted_at", "submitted after the deadline"

    def wrong_year(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        # Filed early in January of the run year, i.e. before the deadline of either year.
        payload["year"] = year - 1
        start = to_epoch(window_start(year)) - 333 * DAY
        payload["submitted_at"] = iso(p.random_time(start, start + 10 * DAY))
        return "year", f"year {year - 1} in the {year} run"

    def too_long(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        payload["summary"] = texts.long_summary(SUMMARY_MAX_CHARS + 100)
        return "summary", f"summary of {len(payload['summary'])} characters"

    def negative_and_late(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        negative_field = free_field(k + 4)
        payload[negative_field] = -5
        payload["submitted_at"] = iso(p.random_time(p.deadline + 3600, p.deadline + 12 * DAY))
        return negative_field, "negative count and submitted after the deadline"

    p.replace("missing_field", ["missing_field"], missing)
    p.replace("timestamp_without_offset", ["bad_timestamp"], no_offset)
    p.replace("timestamp_garbage", ["bad_timestamp"], garbage_time)
    p.replace("late", ["late"], late, place="late")
    p.replace("wrong_year", ["wrong_year"], wrong_year)
    p.replace("too_long", ["too_long"], too_long, place="single")
    p.replace("negative_and_late", ["late", "out_of_range"], negative_and_late, place="late")


def _plant_unknown_and_inactive(p: Planter) -> None:
    """Extra records (no clean row is replaced) for units that may not submit."""
    inactive = np.flatnonzero(~p.registry.active_mask(p.year))
    if len(inactive) == 0:
        p.notes.append("no inactive unit in this year: no inactive_unit submission planted")
    cases: list[tuple[str, str, str]] = [
        ("unknown_unit", u, "unit id not in the registry") for u in unknown_unit_ids(p.units, p.count)
    ]
    unit_ids = p.registry.units["unit_id"].to_numpy()
    cases += [
        ("inactive_unit", str(unit_ids[u]), "unit inactive in the run year") for u in inactive[: p.count]
    ]
    for kind, unit_id, detail in cases:
        pool = p.pools["portal"]
        if not pool:
            return
        # The values are copied from a unit that keeps its own clean record (not taken).
        row = int(pool[len(pool) // 2])
        payload = payload_of(p.clean, row)
        payload["submission_id"] = p.new_id()
        payload["unit_id"] = unit_id
        tag = p.tag()
        p.extras.append(ExtraRecord(payload, "portal", float(cell(p.clean, row, "_t")) + 1, tag))
        p.planted.append(
            Planted("submission", kind, [kind], payload["submission_id"], unit_id, "unit_id", detail, tag)
        )


def _plant_duplicates(p: Planter, result: SubmissionSet) -> None:
    """Replays, conflicting duplicates and superseded submissions."""
    for k in range(p.count):
        # Replay: the very same object again in another file (the first in late-batch.json).
        row = p.take("late") if k == 0 else p.take()
        if row is None:
            break
        payload = payload_of(p.clean, row)
        first_tag = p.tag_clean(row)
        tag = p.tag()
        target = "portal" if k == 0 else "single" if k == 1 else "portal"
        key = float(cell(p.clean, row, "_t")) + DAY * float(p.gen.uniform(0.5, 5))
        p.extras.append(ExtraRecord(payload, target, key, tag))
        result.replays.append(
            {"id": payload["submission_id"], "unit_id": payload["unit_id"], "_tags": (first_tag, tag)}
        )

    for _ in range(p.count):
        # Conflicting duplicate: same id, different head count, later in file order.
        row = p.take()
        if row is None:
            break
        payload = payload_of(p.clean, row)
        p.tag_clean(row)
        payload["employees"] = int(payload["employees"]) + max(1, int(payload["employees"]) // 50)
        tag = p.tag()
        key = float(cell(p.clean, row, "_t")) + DAY * float(p.gen.uniform(0.5, 5))
        p.extras.append(ExtraRecord(payload, "portal", key, tag))
        p.planted.append(
            Planted(
                "submission",
                "conflicting_duplicate",
                ["conflicting_duplicate"],
                payload["submission_id"],
                payload["unit_id"],
                "employees",
                "same submission_id again with a different employees value",
                tag,
            )
        )

    for k in range(p.count):
        # Superseded: the unit files a corrected submission (new id) later; the later one wins.
        row = p.take()
        if row is None:
            break
        early = p.random_time(p.start, p.start + 20 * DAY)
        late = p.random_time(p.deadline - 13 * DAY, p.deadline - DAY)
        p.clean.at[row, "_t"] = early
        p.clean.at[row, "_key"] = float(early)
        p.clean.at[row, "submitted_at"] = iso(early)
        old = payload_of(p.clean, row)
        old_tag = p.tag_clean(row)
        new = dict(old, submission_id=p.new_id(), submitted_at=iso(late))
        new["employees"] = int(old["employees"]) + 1 + int(old["employees"]) // 40
        new["summary"] = f"{old['summary']}（更正版）"
        tag = p.tag()
        target = "late" if k == 0 else "portal"
        p.extras.append(ExtraRecord(new, target, float(late), tag))
        result.superseded.append(
            {
                "record_kind": "submission",
                "id": old["submission_id"],
                "superseded_by": new["submission_id"],
                "unit_id": old["unit_id"],
                "_tags": (old_tag, tag),
            }
        )


def _plant_formatted_numbers(p: Planter, result: SubmissionSet) -> None:
    """Valid records whose numbers are written "１２００" or "1,200" (must be accepted)."""
    plans: list[tuple[str, str, str]] = [("portal", "full_width", "workers_served")] * p.count
    plans += [("portal", "thousands_separator", "workers_served")] * p.count
    plans += [("late", "full_width", "service_activities")]
    if p.pools["gbk"]:
        plans.append(("gbk", "thousands_separator", "workers_served"))
    for target, style, field in plans:
        row = p.take(target)
        if row is None:
            continue
        value = int(cell(p.clean, row, field))
        if style == "thousands_separator" and value < 1000:
            value += 1000 + int(p.gen.integers(0, 9000))
            p.clean.at[row, field] = value
        raw = f"{value:,}" if style == "thousands_separator" else str(value).translate(FULL_WIDTH)
        payload = payload_of(p.clean, row)
        payload[field] = raw
        p.drop.append(row)
        tag = p.tag()
        p.extras.append(ExtraRecord(payload, target, float(cell(p.clean, row, "_t")), tag))
        result.formatted_numbers.append(
            {
                "id": payload["submission_id"],
                "unit_id": payload["unit_id"],
                "field": field,
                "raw": raw,
                "value": value,
                "_tags": (tag,),
            }
        )


def _plant_malformed(p: Planter) -> None:
    lines = [
        f'{{"submission_id": "S{p.year}-',
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "employees,union_members,trainees",
        f"{{'unit_id': 'BT-C-0001', 'year': {p.year}}}",
    ]
    for k in range(max(2, per_kind(p.units, DEFECT_RATE / 2))):
        text = lines[k % len(lines)]
        tag = p.tag()
        key = float(p.random_time(p.start, p.deadline))
        p.extras.append(ExtraRecord(text, "portal", key, tag))
        p.planted.append(
            Planted(
                "submission",
                "malformed_line",
                ["malformed"],
                None,
                None,
                None,
                f"not JSON: {text[:40]!r}",
                tag,
            )
        )


def _plant_outliers(p: Planter, result: SubmissionSet) -> None:
    """Contract-valid but implausible values (trainees 50x head count, 1M CNY per employee)."""
    valid = len(p.clean) - len(p.drop)
    for k in range(per_kind(valid, OUTLIER_RATE)):
        row = p.take()
        if row is None:
            break
        employees = int(cell(p.clean, row, "employees"))
        if k % 2 == 0:
            field, value, detail = "trainees", employees * 50, "trainees = 50 x employees"
            p.clean.at[row, field] = value
        else:
            field, detail = "innovation_value_cny", "1,000,000 CNY of value per employee"
            p.clean.at[row, field] = float(employees * 1_000_000)
            if int(cell(p.clean, row, "innovation_results")) == 0:
                p.clean.at[row, "innovation_results"] = 1
        tag = p.tag_clean(row)
        result.outliers.append(
            {
                "id": str(cell(p.clean, row, "submission_id")),
                "unit_id": str(cell(p.clean, row, "unit_id")),
                "field": field,
                "detail": detail,
                "_tags": (tag,),
            }
        )


def plant_submission_defects(clean: pd.DataFrame, registry: Registry, year: int, seed: int) -> SubmissionSet:
    """Replace, duplicate and add submission records so that every defect kind occurs.

    `clean` must carry `_target` and `_key` (see `layout.assign_targets`); it is copied.
    """
    p = Planter(clean, registry, year, seed)
    result = SubmissionSet(clean=p.clean, extras=p.extras, planted=p.planted)
    _plant_type_errors(p)
    _plant_range_errors(p)
    _plant_inconsistencies(p)
    _plant_other_errors(p)
    _plant_unknown_and_inactive(p)
    _plant_duplicates(p, result)
    _plant_formatted_numbers(p, result)
    _plant_malformed(p)
    _plant_outliers(p, result)
    dropped = np.asarray(sorted(set(p.drop)), dtype=np.int64)
    keep = np.setdiff1d(np.arange(len(p.clean)), dropped)
    remap = {int(old): new for new, old in enumerate(keep)}
    result.clean = p.clean.iloc[keep].reset_index(drop=True)
    result.clean_tags = {remap[row]: tag for row, tag in p.clean_tags.items()}
    result.notes = p.notes
    return result
