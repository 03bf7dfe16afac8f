"""Planting bad, tricky and implausible submission and registry records.

Every planted bad record breaks exactly the rule codes listed for it: defects go into fields that
take part in no other rule (see `schema.FREE_COUNT_FIELDS`), timestamps stay before the deadline
unless lateness is the point, and so on. Records that replace a unit's clean submission leave that
unit without an accepted submission (grade `missing`), as a quarantined real submission would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd

from unionflow.synth import rng, texts
from unionflow.synth.records import ExtraRecord, Planted, SubmissionSet, UnitSet
from unionflow.synth.registry import Registry, id_width
from unionflow.synth.schema import (
    FREE_COUNT_FIELDS,
    SUBMISSION_FIELDS,
    SUMMARY_MAX_CHARS,
    deadline,
    iso,
    to_epoch,
    window_start,
)
from unionflow.synth.submissions import submission_id_width, submission_ids

DEFECT_RATE = 0.001  # per defect kind, of the number of units (at least one of each)
OUTLIER_RATE = 0.005  # plausibility outliers among valid submissions
PLACED_MAX = 2  # records per kind sent to late-batch.json or single files
DAY = 86_400

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def per_kind(units: int, rate: float = DEFECT_RATE, minimum: int = 1) -> int:
    """How many records of one defect kind to plant for `units` units."""
    return max(minimum, round(rate * units))


def unknown_unit_ids(units: int, count: int) -> list[str]:
    """Well-formed unit ids that are not in the registry ("Z" is never a level code)."""
    width = id_width(units)
    return [f"BT-Z-{i:0{width}d}" for i in range(1, count + 1)]


# ---------------------------------------------------------------------------------------------
# Registry


def plant_unit_defects(registry: Registry, seed: int) -> UnitSet:
    """units.csv rows: the registry plus two bad rows (bad id pattern; level outside city/county).

    Uses a year-free stream so units.csv is identical for every year with the same seed.
    """
    gen = rng.stream(seed, rng.DEFECTS)
    good = registry.units
    width = id_width(len(good))
    template: dict[str, Any] = {str(k): v for k, v in good.iloc[0].items()}
    bad_id = dict(
        template,
        unit_id=f"bt-c {len(good) + 1:0{width}d}",
        name="包头市鑫达机械制造有限公司",
        sector="private_enterprise",
        parent_union="包头市机械工会",
        active_to="",
    )
    bad_level = dict(
        template,
        unit_id=f"BT-P-{1:0{width}d}",
        name="内蒙古自治区总工会驻包头工作组",
        level="province",
        sector="department",
        parent_union="包头市总工会",
        active_to="",
    )
    bad = pd.DataFrame([bad_id, bad_level], columns=good.columns)
    positions = np.sort(gen.choice(len(good) + 1, size=2, replace=False))
    # Insert the bad rows among the good ones (after `positions[k]` good rows).
    parts, start = [], 0
    for k, pos in enumerate(positions):
        parts += [good.iloc[start:pos], bad.iloc[[k]]]
        start = int(pos)
    parts.append(good.iloc[start:])
    frame = pd.concat(parts, ignore_index=True)
    ids = frame["unit_id"].to_numpy(dtype=object)
    rows = {str(ids[i]): int(i) for i in np.flatnonzero(np.isin(ids, bad["unit_id"].to_numpy()))}
    planted = []
    for unit_id, kind, field, detail in (
        (bad_id["unit_id"], "bad_unit_id", "unit_id", "lower case and a space: fails the pattern"),
        (bad_level["unit_id"], "bad_level", "level", "level 'province' is neither city nor county"),
    ):
        row = rows[unit_id] + 2  # spreadsheet row: the header is row 1
        planted.append(
            Planted(
                "unit",
                kind,
                ["out_of_range"],
                unit_id,
                unit_id,
                field,
                detail,
                location={"file": "units.csv", "row": row, "source_ref": f"units.csv#row={row}"},
            )
        )
    return UnitSet(frame=frame, planted=planted)


# ---------------------------------------------------------------------------------------------
# Submissions


def _cell(frame: pd.DataFrame, row: int, column: str) -> Any:
    """One cell by row position (typed Any, unlike `DataFrame.at`)."""
    return cast(Any, frame[column].iat[row])


def _payload(clean: pd.DataFrame, row: int) -> dict[str, Any]:
    values = clean.iloc[row]
    payload: dict[str, Any] = {}
    for name in SUBMISSION_FIELDS:
        value = values[name]
        payload[name] = value.item() if isinstance(value, np.generic) else value
    return payload


class _Planter:
    """Draws rows from a shuffled pool so every planted record uses a different unit."""

    def __init__(self, clean: pd.DataFrame, registry: Registry, year: int, seed: int) -> None:
        # Plain object columns: writing one cell of an Arrow-backed text column copies it whole.
        self.clean = clean.astype(
            {"submission_id": object, "unit_id": object, "submitted_at": object, "summary": object}
        )
        self.registry = registry
        self.year = year
        self.gen = rng.stream(seed, rng.DEFECTS, year)
        self.units = len(registry.units)
        self.count = per_kind(self.units)
        targets = clean["_target"].to_numpy()
        self.pools = {
            t: list(self.gen.permutation(np.flatnonzero(targets == t)))
            for t in ("portal", "late", "gbk", "xlsx", "single")
        }
        self.drop: list[int] = []
        self.extras: list[ExtraRecord] = []
        self.planted: list[Planted] = []
        self.clean_tags: dict[int, str] = {}
        self.next_number = len(clean) + 1
        self.tags = 0
        self.notes: list[str] = []
        self.width = submission_id_width(self.units)
        self.start = to_epoch(window_start(year))
        self.deadline = to_epoch(deadline(year))

    def take(self, target: str = "portal") -> int | None:
        pool = self.pools[target]
        return int(pool.pop()) if pool else None

    def new_id(self) -> str:
        number = self.next_number
        self.next_number += 1
        return submission_ids(self.year, np.asarray([number]), self.width)[0]

    def tag(self) -> str:
        self.tags += 1
        return f"sub-{self.tags:07d}"

    def tag_clean(self, row: int) -> str:
        tag = self.tag()
        self.clean_tags[row] = tag
        return tag

    def random_time(self, lo: int, hi: int) -> int:
        return int(self.gen.integers(lo, hi))

    def replace(
        self,
        kind: str,
        rules: list[str],
        edit: Callable[[dict[str, Any], int], tuple[str | None, str]],
        target: str = "portal",
        place: str | None = None,
        count: int | None = None,
    ) -> None:
        """Plant `count` records (default: one per kind quota), each replacing one clean row of
        `target` by an edited copy placed in `place` (default: the same target).

        `edit(payload, k)` changes the payload in place and returns (field, detail).
        """
        for k in range(self.count if count is None else count):
            row = self.take(target)
            if row is None:
                return
            payload = _payload(self.clean, row)
            field, detail = edit(payload, k)
            self.drop.append(row)
            tag = self.tag()
            key = float(_cell(self.clean, row, "_t"))
            # Only the first few go to the small files (late-batch.json, single files).
            where = place if place is not None and k < PLACED_MAX else target
            self.extras.append(ExtraRecord(payload, where, key, tag))
            self.planted.append(
                Planted(
                    "submission",
                    kind,
                    rules,
                    payload.get("submission_id"),
                    payload.get("unit_id"),
                    field,
                    detail,
                    tag,
                )
            )


def _free_field(k: int) -> str:
    return FREE_COUNT_FIELDS[k % len(FREE_COUNT_FIELDS)]


def _plant_type_errors(p: _Planter) -> None:
    def text(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = _free_field(k)
        payload[field] = "N/A"
        return field, "text 'N/A' in a count field"

    def unit_suffix(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = _free_field(k + 1)
        payload[field] = f"{payload[field]}人"
        return field, f"number with a unit suffix: {payload[field]!r}"

    def boolean(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = _free_field(k + 2)
        payload[field] = True
        return field, "JSON true in a count field"

    def fraction(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = _free_field(k + 3)
        payload[field] = payload[field] + 0.5
        return field, f"fraction {payload[field]} in an integer field"

    p.replace("text_in_number", ["not_a_number"], text)
    p.replace("text_in_number", ["not_a_number"], text, target="xlsx", count=1)
    p.replace("unit_suffix_in_number", ["not_a_number"], unit_suffix)
    p.replace("unit_suffix_in_number", ["not_a_number"], unit_suffix, target="gbk", count=1)
    p.replace("boolean_in_number", ["not_a_number"], boolean)
    p.replace("fraction_in_integer", ["not_a_number"], fraction, target="portal", place="late")


def _plant_range_errors(p: _Planter) -> None:
    def negative(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = _free_field(k)
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


def _plant_inconsistencies(p: _Planter) -> None:
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


def _plant_other_errors(p: _Planter) -> None:
    year = p.year

    def missing(payload: dict[str, Any], k: int) -> tuple[str | None, str]:
        field = _free_field(k)
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
        negative_field = _free_field(k + 4)
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


def _plant_unknown_and_inactive(p: _Planter) -> None:
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
        payload = _payload(p.clean, row)
        payload["submission_id"] = p.new_id()
        payload["unit_id"] = unit_id
        tag = p.tag()
        p.extras.append(ExtraRecord(payload, "portal", float(_cell(p.clean, row, "_t")) + 1, tag))
        p.planted.append(
            Planted("submission", kind, [kind], payload["submission_id"], unit_id, "unit_id", detail, tag)
        )


def _plant_duplicates(p: _Planter, result: SubmissionSet) -> None:
    """Replays, conflicting duplicates and superseded submissions."""
    for k in range(p.count):
        # Replay: the very same object again in another file (the first in late-batch.json).
        row = p.take("late") if k == 0 else p.take()
        if row is None:
            break
        payload = _payload(p.clean, row)
        first_tag = p.tag_clean(row)
        tag = p.tag()
        target = "portal" if k == 0 else "single" if k == 1 else "portal"
        key = float(_cell(p.clean, row, "_t")) + DAY * float(p.gen.uniform(0.5, 5))
        p.extras.append(ExtraRecord(payload, target, key, tag))
        result.replays.append(
            {"id": payload["submission_id"], "unit_id": payload["unit_id"], "_tags": (first_tag, tag)}
        )

    for _ in range(p.count):
        # Conflicting duplicate: same id, different head count, later in file order.
        row = p.take()
        if row is None:
            break
        payload = _payload(p.clean, row)
        p.tag_clean(row)
        payload["employees"] = int(payload["employees"]) + max(1, int(payload["employees"]) // 50)
        tag = p.tag()
        key = float(_cell(p.clean, row, "_t")) + DAY * float(p.gen.uniform(0.5, 5))
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
        old = _payload(p.clean, row)
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


def _plant_formatted_numbers(p: _Planter, result: SubmissionSet) -> None:
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
        value = int(_cell(p.clean, row, field))
        if style == "thousands_separator" and value < 1000:
            value += 1000 + int(p.gen.integers(0, 9000))
            p.clean.at[row, field] = value
        raw = f"{value:,}" if style == "thousands_separator" else str(value).translate(FULL_WIDTH)
        payload = _payload(p.clean, row)
        payload[field] = raw
        p.drop.append(row)
        tag = p.tag()
        p.extras.append(ExtraRecord(payload, target, float(_cell(p.clean, row, "_t")), tag))
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


def _plant_malformed(p: _Planter) -> None:
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


def _plant_outliers(p: _Planter, result: SubmissionSet) -> None:
    """Contract-valid but implausible values (trainees 50x head count, 1M CNY per employee)."""
    valid = len(p.clean) - len(p.drop)
    for k in range(per_kind(valid, OUTLIER_RATE)):
        row = p.take()
        if row is None:
            break
        employees = int(_cell(p.clean, row, "employees"))
        if k % 2 == 0:
            field, value, detail = "trainees", employees * 50, "trainees = 50 x employees"
            p.clean.at[row, field] = value
        else:
            field, detail = "innovation_value_cny", "1,000,000 CNY of value per employee"
            p.clean.at[row, field] = float(employees * 1_000_000)
            if int(_cell(p.clean, row, "innovation_results")) == 0:
                p.clean.at[row, "innovation_results"] = 1
        tag = p.tag_clean(row)
        result.outliers.append(
            {
                "id": str(_cell(p.clean, row, "submission_id")),
                "unit_id": str(_cell(p.clean, row, "unit_id")),
                "field": field,
                "detail": detail,
                "_tags": (tag,),
            }
        )


def plant_submission_defects(clean: pd.DataFrame, registry: Registry, year: int, seed: int) -> SubmissionSet:
    """Replace, duplicate and add submission records so that every defect kind occurs.

    `clean` must carry `_target` and `_key` (see `layout.assign_targets`); it is copied.
    """
    p = _Planter(clean, registry, year, seed)
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
