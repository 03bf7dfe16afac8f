"""Tests of the synthetic data generator (`synth`).

Besides the basic properties (determinism, layout, encodings), a small reference checker of the
SPEC §4 record rules below verifies that every planted bad record breaks exactly the rules the
manifest lists and that every other record is clean.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import orjson
import pandas as pd
import pytest

from unionflow.synth import SynthManifest, synthesize
from unionflow.synth.names import all_vocabulary
from unionflow.synth.schema import (
    CHINESE_HEADERS,
    COUNT_FIELDS,
    CRITERIA,
    SUBMISSION_FIELDS,
    UNIT_ID_PATTERN,
    deadline,
)
from unionflow.synth.texts import all_texts

YEAR = 2025


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "default"
    synthesize(out, units=225, year=YEAR, seed=20231)
    return out


@pytest.fixture(scope="module")
def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- reading the folder back -------------------------------------------------------------------


def _units(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "units.csv", dtype=str, keep_default_na=False)


def _registry(folder: Path) -> pd.DataFrame:
    """The registered units: rows with a valid id and level."""
    units = _units(folder)
    good = units["unit_id"].map(lambda u: bool(UNIT_ID_PATTERN.match(u)))
    good &= units["level"].isin(["city", "county"])
    return units[good].set_index("unit_id")


def _submission_records(folder: Path) -> list[tuple[str, Any]]:
    """(source_ref, payload) in receiving order; payload is a dict or the raw text of a line."""
    records: list[tuple[str, Any]] = []
    english = {v: k for k, v in CHINESE_HEADERS.items()}
    for path in sorted((folder / "submissions").iterdir()):
        ref = path.relative_to(folder).as_posix()
        if path.suffix == ".jsonl":
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                try:
                    records.append((f"{ref}#line={n}", orjson.loads(line)))
                except orjson.JSONDecodeError:
                    records.append((f"{ref}#line={n}", line))
        elif path.suffix == ".json":
            document = orjson.loads(path.read_bytes())
            if isinstance(document, list):
                records += [(f"{ref}#item={n}", d) for n, d in enumerate(document, start=1)]
            else:
                records.append((ref, document))
        elif path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))
            header = [english[h] for h in rows[0]]
            records += [
                (f"{ref}#row={n}", dict(zip(header, row, strict=True)))
                for n, row in enumerate(rows[1:], start=2)
            ]
        elif path.suffix == ".xlsx":
            sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            header = [str(h) for h in rows[0]]
            records += [
                (f"{ref}#row={n}", dict(zip(header, row, strict=True)))
                for n, row in enumerate(rows[1:], start=2)
            ]
    return records


# --- a reference checker of the SPEC §4 rules --------------------------------------------------


def _number(value: Any, integer: bool) -> Decimal | None:
    """The number a cell holds, or None when it is not a number (SPEC §4 normalisation)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    if integer and number != number.to_integral_value():
        return None
    return number


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def submission_rules(payload: Any, registry: pd.DataFrame, year: int) -> set[str]:
    """Every rule a single submission record breaks (duplicates are judged separately)."""
    if not isinstance(payload, dict):
        return {"malformed"}
    rules: set[str] = set()
    required = [f for f in SUBMISSION_FIELDS if f != "summary"]
    if any(payload.get(f) in (None, "") for f in required):
        rules.add("missing_field")
    numbers: dict[str, Decimal] = {}
    for name in (*COUNT_FIELDS, "innovation_value_cny", "year"):
        if payload.get(name) in (None, ""):
            continue
        number = _number(payload[name], integer=name != "innovation_value_cny")
        if number is None:
            rules.add("not_a_number")
        else:
            numbers[name] = number
    for name in COUNT_FIELDS:
        if name in numbers and numbers[name] < (1 if name == "employees" else 0):
            rules.add("out_of_range")
    money = numbers.get("innovation_value_cny")
    if money is not None and (money < 0 or _decimals(money) > 2):
        rules.add("out_of_range")
    for small, big in (
        ("union_members", "employees"),
        ("competition_finalists", "competition_participants"),
        ("studios_city_level", "studios"),
        ("proposals_adopted", "proposals_submitted"),
    ):
        if small in numbers and big in numbers and numbers[small] > numbers[big]:
            rules.add("inconsistent")
    sessions, trainees = numbers.get("training_sessions"), numbers.get("trainees")
    if sessions is not None and trainees is not None and sessions > 0 and trainees < sessions:
        rules.add("inconsistent")
    if "year" in numbers and numbers["year"] != year:
        rules.add("wrong_year")
    try:
        moment = datetime.fromisoformat(str(payload.get("submitted_at")))
        if moment.tzinfo is None:
            rules.add("bad_timestamp")
        elif moment > deadline(year):
            rules.add("late")
    except ValueError:
        rules.add("bad_timestamp")
    if len(str(payload.get("summary") or "")) > 5000:
        rules.add("too_long")
    unit = payload.get("unit_id")
    if unit not in registry.index:
        rules.add("unknown_unit")
    else:
        start, end = registry.at[unit, "active_from"], registry.at[unit, "active_to"]
        if not (int(start) <= year <= (int(end) if end else 9999)):
            rules.add("inactive_unit")
    return rules


def judge_submissions(folder: Path, year: int) -> dict[str, Any]:
    """Rules per source_ref of every quarantined record, plus replays and superseded ids."""
    registry = _registry(folder)
    quarantined: dict[str, str] = {}
    seen: dict[str, Any] = {}
    replays: list[str] = []
    valid: list[tuple[str, str, datetime]] = []
    for ref, payload in _submission_records(folder):
        rules = submission_rules(payload, registry, year)
        if isinstance(payload, dict):
            sid = payload.get("submission_id")
            if sid in seen:
                if seen[sid] == payload:
                    replays.append(ref)
                    continue
                rules.add("conflicting_duplicate")
            else:
                seen[sid] = payload
        if rules:
            quarantined[ref] = ";".join(sorted(rules))
        else:
            valid.append(
                (
                    payload["unit_id"],
                    payload["submission_id"],
                    datetime.fromisoformat(payload["submitted_at"]),
                )
            )
    latest: dict[str, tuple[datetime, str]] = {}
    for unit, sid, moment in valid:
        latest[unit] = max(latest.get(unit, (moment, sid)), (moment, sid))
    superseded = sorted(sid for unit, sid, _ in valid if latest[unit][1] != sid)
    return {
        "quarantined": quarantined,
        "replays": replays,
        "superseded": superseded,
        "accepted_units": set(latest),
    }


def judge_reviews(folder: Path, year: int) -> dict[str, Any]:
    reviews = pd.read_csv(folder / "reviews.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    registry = _registry(folder)
    quarantined: dict[str, str] = {}
    valid = []
    for n, row in enumerate(reviews.to_dict("records"), start=2):
        rules: set[str] = set()
        giver, taker = row["reviewer_unit_id"], row["reviewee_unit_id"]
        for unit in (giver, taker):
            if unit not in registry.index:
                rules.add("unknown_unit")
        if giver == taker:
            rules.add("self_review")
        elif not rules and registry.at[giver, "district"] == registry.at[taker, "district"]:
            rules.add("conflict_of_interest")
        for criterion in CRITERIA:
            number = _number(row[criterion], integer=True)
            if number is None:
                rules.add("not_a_number")
            elif not 0 <= number <= 100:
                rules.add("out_of_range")
        if rules:
            quarantined[f"reviews.csv#row={n}"] = ";".join(sorted(rules))
        else:
            valid.append(row)
    frame = pd.DataFrame(valid)
    frame = frame.sort_values(["submitted_at", "review_id"])
    superseded = frame[frame.duplicated(["reviewer_unit_id", "reviewee_unit_id"], keep="last")]
    return {
        "quarantined": quarantined,
        "superseded": sorted(superseded["review_id"]),
        "valid": frame.drop_duplicates(["reviewer_unit_id", "reviewee_unit_id"], keep="last"),
    }


# --- tests -------------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_folder(folder: Path, tmp_path: Path) -> None:
    synthesize(tmp_path / "again", units=225, year=YEAR, seed=20231)
    assert _files(tmp_path / "again") == _files(folder)


def test_different_seed_gives_different_data(folder: Path, tmp_path: Path) -> None:
    synthesize(tmp_path / "other", units=225, year=YEAR, seed=7)
    other = _files(tmp_path / "other")
    assert other["units.csv"] != _files(folder)["units.csv"]
    assert other["reviews.csv"] != _files(folder)["reviews.csv"]


def test_rerun_into_the_same_folder_leaves_no_stale_files(tmp_path: Path) -> None:
    synthesize(tmp_path / "a", units=60, year=2025, seed=1)
    synthesize(tmp_path / "a", units=60, year=2025, seed=2)
    synthesize(tmp_path / "b", units=60, year=2025, seed=2)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_synthesize_returns_the_written_manifest(tmp_path: Path) -> None:
    result = synthesize(tmp_path, units=60, year=2024, seed=3)
    assert isinstance(result, SynthManifest)
    assert result.data == SynthManifest.load(tmp_path / "manifest.json").data
    assert result.parameters["units"] == 60 and result.parameters["year"] == 2024


def test_default_registry_has_225_units_about_two_thirds_city(folder: Path) -> None:
    registry = _registry(folder)
    assert len(registry) == 225
    assert 0.6 < (registry["level"] == "city").mean() < 0.72
    assert set(registry["batch"]) == {"1", "2", "3"}


def test_units_csv_has_the_spec_columns_and_no_bom(folder: Path) -> None:
    data = (folder / "units.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").splitlines()[0] == (
        "unit_id,name,level,batch,sector,district,parent_union,active_from,active_to"
    )


def test_registry_is_identical_across_years(tmp_path: Path) -> None:
    synthesize(tmp_path / "y2024", units=80, year=2024, seed=11)
    synthesize(tmp_path / "y2025", units=80, year=2025, seed=11)
    assert (tmp_path / "y2024/units.csv").read_bytes() == (tmp_path / "y2025/units.csv").read_bytes()


def test_submissions_differ_between_years_but_stay_plausible(tmp_path: Path) -> None:
    frames = {}
    for year in (2024, 2025):
        synthesize(tmp_path / str(year), units=200, year=year, seed=5)
        records = [
            p
            for _, p in _submission_records(tmp_path / str(year))
            if isinstance(p, dict) and isinstance(p.get("employees"), int)
        ]
        frames[year] = pd.DataFrame(records).drop_duplicates("unit_id").set_index("unit_id")
    both = frames[2024].index.intersection(frames[2025].index)
    ratio = frames[2025].loc[both, "employees"] / frames[2024].loc[both, "employees"]
    assert (ratio != 1).mean() > 0.5
    assert ratio.between(0.7, 1.5).mean() > 0.95


def test_every_registered_unit_id_matches_the_pattern(folder: Path, manifest: dict) -> None:
    bad = {p["id"] for p in manifest["planted"] if p["record_kind"] == "unit"}
    ids = set(_units(folder)["unit_id"])
    assert bad <= ids
    assert all(UNIT_ID_PATTERN.match(u) for u in ids - bad)
    assert not any(UNIT_ID_PATTERN.match(u) for u in bad if u.startswith("bt"))


def test_gbk_csv_is_not_utf8_and_has_chinese_headers(folder: Path) -> None:
    data = (folder / "submissions/county-gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    header = data.decode("gb18030").splitlines()[0].split(",")
    assert header == [CHINESE_HEADERS[f] for f in SUBMISSION_FIELDS]


def test_all_chinese_vocabulary_is_gbk_encodable() -> None:
    for text in [*all_vocabulary(), *all_texts()]:
        text.encode("gbk")


def test_xlsx_opens_with_english_headers_and_few_rows(folder: Path) -> None:
    sheet = openpyxl.load_workbook(folder / "submissions/district-upload.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == list(SUBMISSION_FIELDS)
    assert 2 <= sheet.max_row <= 201


def test_reviews_csv_has_bom_and_spec_columns(folder: Path) -> None:
    data = (folder / "reviews.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[0] == (
        "review_id,year,reviewer_unit_id,reviewee_unit_id,guidance,skills,innovation,"
        "institution,service,submitted_at,comment"
    )


def test_every_planted_record_is_where_the_manifest_says(folder: Path, manifest: dict) -> None:
    refs = dict(_submission_records(folder))
    for entry in manifest["planted"]:
        if entry["record_kind"] == "submission":
            payload = refs[entry["source_ref"]]
            if entry["id"] is not None:
                assert payload["submission_id"] == entry["id"]
    reviews = pd.read_csv(folder / "reviews.csv", dtype=str, encoding="utf-8-sig")
    for entry in manifest["planted"]:
        if entry["record_kind"] == "review":
            assert reviews.iloc[entry["row"] - 2]["review_id"] == entry["id"]
        if entry["record_kind"] == "unit":
            assert _units(folder).iloc[entry["row"] - 2]["unit_id"] == entry["id"]


def test_planted_submissions_break_exactly_the_listed_rules(folder: Path, manifest: dict) -> None:
    judged = judge_submissions(folder, YEAR)
    expected = {p["source_ref"]: p["rule"] for p in manifest["planted"] if p["record_kind"] == "submission"}
    assert judged["quarantined"] == expected
    assert sorted(judged["replays"]) == sorted(r["replay"]["source_ref"] for r in manifest["replays"])
    assert judged["superseded"] == sorted(
        s["id"] for s in manifest["superseded"] if s["record_kind"] == "submission"
    )


def test_planted_reviews_break_exactly_the_listed_rules(folder: Path, manifest: dict) -> None:
    judged = judge_reviews(folder, YEAR)
    expected = {p["source_ref"]: p["rule"] for p in manifest["planted"] if p["record_kind"] == "review"}
    assert judged["quarantined"] == expected
    assert judged["superseded"] == sorted(
        s["id"] for s in manifest["superseded"] if s["record_kind"] == "review"
    )


def test_manifest_counts_satisfy_the_collection_identity(manifest: dict) -> None:
    for kind, counts in manifest["counts"].items():
        parts = counts["accepted"] + counts["quarantined"] + counts["superseded"]
        assert counts["received"] == parts + counts["replayed"], kind
        assert counts["received"] == sum(counts["by_file"].values()), kind


def test_formatted_numbers_are_valid_records(folder: Path, manifest: dict) -> None:
    refs = dict(_submission_records(folder))
    registry = _registry(folder)
    raw_styles = set()
    for item in manifest["formatted_numbers"]:
        payload = refs[item["source_ref"]]
        assert payload[item["field"]] == item["raw"]
        assert submission_rules(payload, registry, YEAR) == set()
        raw_styles.add("," in item["raw"])
    assert raw_styles == {True, False}


def test_clean_reviews_never_pair_self_or_same_district(folder: Path) -> None:
    valid = judge_reviews(folder, YEAR)["valid"]
    district = _registry(folder)["district"]
    assert (valid["reviewer_unit_id"] != valid["reviewee_unit_id"]).all()
    same = district[valid["reviewer_unit_id"]].to_numpy() == district[valid["reviewee_unit_id"]].to_numpy()
    assert not same.any()


def test_every_active_unit_keeps_three_valid_reviews(folder: Path, manifest: dict) -> None:
    valid = judge_reviews(folder, YEAR)["valid"]
    per_unit = valid.groupby("reviewee_unit_id").size()
    thin = set(per_unit[per_unit < 3].index)
    assert thin == set(manifest["insufficient_reviews"])
    assert (per_unit[list(thin)] == 2).all()
    active = manifest["counts"]["units"]["active_in_year"]
    assert len(per_unit) == active
    per_reviewer = valid.groupby("reviewer_unit_id").size()
    assert per_reviewer.between(4, 6).mean() > 0.85
    assert per_reviewer.max() <= 7


def _scores(valid: pd.DataFrame) -> pd.DataFrame:
    frame = valid.copy()
    frame[list(CRITERIA)] = frame[list(CRITERIA)].astype(int)
    frame["mean"] = frame[list(CRITERIA)].mean(axis=1)
    return frame


def _others_mean(frame: pd.DataFrame) -> pd.Series:
    total = frame.groupby("reviewee_unit_id")["mean"].transform("sum")
    count = frame.groupby("reviewee_unit_id")["mean"].transform("size")
    return (total - frame["mean"]) / (count - 1)


def test_planted_reviewer_behaviours_show_in_the_scores(folder: Path, manifest: dict) -> None:
    frame = _scores(judge_reviews(folder, YEAR)["valid"])
    frame["others"] = _others_mean(frame)
    behaviours = manifest["reviewer_behaviours"]
    pair = behaviours["colluding_pairs"][0]["review_ids"]
    excess = frame.set_index("review_id").loc[pair]
    assert ((excess["mean"] - excess["others"]).between(15, 25)).all()
    flat = behaviours["flat_reviewers"][0]
    rows = frame[frame["reviewer_unit_id"] == flat["unit_id"]]
    assert len(rows) >= 5 and (rows[list(CRITERIA)] == flat["score"]).all().all()
    contrarian = behaviours["contrarians"][0]["unit_id"]
    rows = frame[frame["reviewer_unit_id"] == contrarian]
    assert len(rows) >= 5 and np.corrcoef(rows["mean"], rows["others"])[0, 1] < -0.5


def test_honest_reviewers_agree_with_the_others(folder: Path, manifest: dict) -> None:
    frame = _scores(judge_reviews(folder, YEAR)["valid"])
    frame["others"] = _others_mean(frame)
    behaviours = manifest["reviewer_behaviours"]
    special = {u for p in behaviours["colluding_pairs"] for u in p["units"]}
    special |= {behaviours["flat_reviewers"][0]["unit_id"], behaviours["contrarians"][0]["unit_id"]}
    negative = 0
    honest = frame[~frame["reviewer_unit_id"].isin(special)].groupby("reviewer_unit_id")
    for _, rows in honest:
        if len(rows) >= 4 and np.corrcoef(rows["mean"], rows["others"])[0, 1] < 0:
            negative += 1
    assert negative <= 0.02 * honest.ngroups


def test_each_defect_kind_is_planted_at_least_once(manifest: dict) -> None:
    rules = {r for p in manifest["planted"] for r in p["rules"]}
    assert rules == {
        "malformed",
        "missing_field",
        "not_a_number",
        "bad_timestamp",
        "out_of_range",
        "inconsistent",
        "too_long",
        "unknown_unit",
        "inactive_unit",
        "wrong_year",
        "late",
        "conflicting_duplicate",
        "self_review",
        "conflict_of_interest",
    }
    assert any(len(p["rules"]) > 1 for p in manifest["planted"])
    assert manifest["replays"] and manifest["formatted_numbers"]
    assert {s["record_kind"] for s in manifest["superseded"]} == {"submission", "review"}
    assert manifest["plausibility_outliers"] and manifest["insufficient_reviews"]
    kinds = {p["kind"] for p in manifest["planted"]}
    assert {
        "adopted_gt_submitted",
        "members_gt_employees",
        "finalists_gt_participants",
        "city_studios_gt_studios",
        "sessions_gt_trainees",
        "boolean_in_number",
        "fraction_in_integer",
        "zero_employees",
        "money_three_decimals",
    } <= kinds


def test_submission_times_fall_in_the_window(folder: Path, manifest: dict) -> None:
    late_refs = {
        p["source_ref"]
        for p in manifest["planted"]
        if {"late", "bad_timestamp", "wrong_year"} & set(p["rules"])
    }
    start = datetime.fromisoformat(f"{YEAR}-12-01T00:00:00+08:00")
    for ref, payload in _submission_records(folder):
        if isinstance(payload, dict) and ref not in late_refs:
            assert start <= datetime.fromisoformat(payload["submitted_at"]) <= deadline(YEAR)
