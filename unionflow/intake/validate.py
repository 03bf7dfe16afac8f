"""Validate every staged payload of a kind against its contract and decide its fate.

Each payload ends in exactly one status: accepted, superseded, quarantined or replayed, so the
collection's counts always reconcile (SPEC section 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from expectations.checks import failures
from expectations.contracts import YearContext, record_schema, text_schema
from expectations.fields import RECORD_KEY
from expectations.numbers import arrow_text
from expectations.text_safety import quoted_value, visible, visible_column
from unionflow.intake.frames import fingerprint, text_frame, typed_frame
from unionflow.intake.versions import latest_per_group, replays_and_conflicts, unit_replays_and_conflicts
from unionflow.records import RecordKind

STATUSES = ("accepted", "quarantined", "superseded", "replayed")

MALFORMED_MESSAGE = (
    "not a record with named fields (unparseable JSON, not an object, or a row with more cells "
    "than headers); correct it in the source file at "
)


@dataclass
class Verdict:
    """The outcome of validating one kind: typed valid records, quarantine rows, and the status of
    every payload (indexed like the staged input, with its payload_id)."""

    kind: RecordKind
    records: pd.DataFrame
    quarantine: pd.DataFrame
    status: pd.DataFrame  # payload_id, collection_id, status


# Arrow types of registry columns → the pandas types the record rules compare.
_DTYPES = {pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype("pyarrow")}


def _with_context(kind: RecordKind, typed: pd.DataFrame, context: YearContext) -> pd.DataFrame:
    """Join what the record rules need from the registry, assignments and declared conflicts."""
    frame = typed.copy()
    prefixes = {"unit": [], "submission": [""], "review": ["reviewer_", "reviewee_"]}[kind]
    for prefix in prefixes:
        ids = frame[f"{prefix}unit_id"]
        # The 1,000,000-unit profile: pandas' isin/map on Arrow strings loop in Python (170 s);
        # Arrow's hash lookup finds every id's registry row in C.
        rows = context.registry.positions(ids)
        frame[f"{prefix}registered"] = rows.is_valid().to_numpy(zero_copy_only=False)
        for column, values in context.registry.columns.items():
            frame[f"{prefix}{column}"] = pd.Series(
                pc.take(values, rows).to_pandas(types_mapper=_DTYPES.get).array, index=frame.index
            )
    if kind == "review":
        frame["declared_conflict"] = _pairs_in(frame, context.conflicts, symmetric=True)
        frame["assigned"] = _pairs_in(frame, context.assignments, symmetric=False)
    return frame


def _pair_keys(reviewers: pd.Series, reviewees: pd.Series) -> pa.Array:
    # One string per ordered pair; unit ids never contain the separator (their pattern forbids it).
    return pc.binary_join_element_wise(arrow_text(reviewers), arrow_text(reviewees), "\x1f")


def _pairs_in(frame: pd.DataFrame, pairs: pd.DataFrame | None, *, symmetric: bool) -> np.ndarray:
    if pairs is None or pairs.empty:
        return np.zeros(len(frame), dtype=bool) if symmetric else np.ones(len(frame), dtype=bool)
    known = _pair_keys(pairs["reviewer_unit_id"], pairs["reviewee_unit_id"])
    if symmetric:
        known = pa.concat_arrays([known, _pair_keys(pairs["reviewee_unit_id"], pairs["reviewer_unit_id"])])
    keys = _pair_keys(frame["reviewer_unit_id"], frame["reviewee_unit_id"])
    found = pc.fill_null(pc.is_in(keys, value_set=pc.unique(known)), False)
    return found.to_numpy(zero_copy_only=False)


def _without_waived(
    broken: pd.DataFrame, payload_ids: pd.Series, waivers: pd.DataFrame | None
) -> pd.DataFrame:
    """Drop the failures a steward waived by releasing the record (only the rules released)."""
    if waivers is None or waivers.empty or broken.empty:
        return broken
    keys = pd.MultiIndex.from_arrays([payload_ids.loc[broken["index"]].to_numpy(), broken["rule"].to_numpy()])
    waived = pd.MultiIndex.from_frame(waivers[["payload_id", "rule"]])
    return broken[~keys.isin(waived)]


def _rules_per_record(broken: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Collapse (record, rule, message) rows to one row per record: sorted rules, joined messages."""
    if broken.empty:
        return pd.DataFrame({"rule": pd.Series(dtype="string"), "message": pd.Series(dtype="string")})
    ordered = broken[["index", "rule", "message"]].drop_duplicates().sort_values(["index", "rule", "message"])
    grouped = ordered.groupby("index", sort=True)
    rules = grouped["rule"].agg(lambda r: ";".join(dict.fromkeys(r)))
    messages = grouped["message"].agg("; ".join)
    return pd.DataFrame({"rule": rules, "message": messages}).reindex(index.intersection(rules.index))


def validate_records(kind: RecordKind, staged: pd.DataFrame, context: YearContext) -> Verdict:
    """Validate staged payloads of one kind (columns: payload_id, collection_id, source_ref,
    is_record and one text column per field) and decide every payload's status."""
    return decide_versions(kind, [check_records(kind, staged, context)])


def check_records(kind: RecordKind, staged: pd.DataFrame, context: YearContext) -> Verdict:
    """Phase 1, per partition: contracts, replays and conflicting duplicates.

    Every payload of one record key must be in the same partition (replays and conflicts are
    decided among them). Records that pass get the provisional status `valid`; which version of a
    unit's submission counts is decided over all partitions by `decide_versions`.
    """
    staged = staged.reset_index(drop=True)
    ambiguous = _alias_conflict_messages(staged)
    is_record = staged["is_record"].astype(bool) & ambiguous.isna()
    text = text_frame(kind, staged)
    typed = typed_frame(kind, text)
    key = text[RECORD_KEY[kind]]
    content = fingerprint(kind, text, typed)

    if kind == "unit":
        replay, conflict = unit_replays_and_conflicts(
            key, content, staged["payload_id"], staged["collection_id"]
        )
    else:
        replay, conflict = replays_and_conflicts(key, content, staged["payload_id"])
    replay &= is_record
    conflict &= is_record
    checked = is_record & ~replay

    text_check_schema, text_checks = text_schema(kind)
    broken = [failures(text_check_schema, text_checks, text[checked])]
    # A value that failed the text pass must not be blamed again by the record pass.
    typed_checked = typed[checked].copy()
    for column, bad in broken[0].groupby("column")["index"]:
        typed_checked.loc[bad.unique(), column] = pd.NA
    framed = _with_context(kind, typed_checked, context)
    schema, checks = record_schema(kind, context, list(framed.columns))
    broken.append(failures(schema, checks, framed))

    malformed = staged.index[~is_record]
    broken.append(
        pd.DataFrame(
            {
                "index": malformed,
                "rule": "malformed",
                "message": _malformed_messages(staged.loc[malformed], ambiguous.loc[malformed]),
            }
        )
    )
    conflicting = staged.index[conflict]
    broken.append(
        pd.DataFrame(
            {
                "index": conflicting,
                "rule": "conflicting_duplicate",
                "message": RECORD_KEY[kind]
                + " '"
                + key[conflicting].astype("string")
                + "' was received before with different content;"
                " the unit must confirm which version is right",
            }
        )
    )
    broken_all = pd.concat([b for b in broken if not b.empty] or [broken[0]], ignore_index=True)
    broken_all = _without_waived(broken_all, staged["payload_id"], context.waivers)
    verdicts = _rules_per_record(broken_all, staged.index)

    quarantined = pd.Series(False, index=staged.index)
    quarantined[verdicts.index] = True
    clean = checked & ~quarantined

    status = pd.Series("valid", index=staged.index, dtype="object")
    status[quarantined] = "quarantined"
    status[replay] = "replayed"

    records = typed[clean].copy()
    records.insert(0, "payload_id", staged.loc[clean, "payload_id"])

    quarantine = pd.DataFrame(
        {
            "quarantine_id": staged.loc[verdicts.index, "payload_id"],
            "payload_id": staged.loc[verdicts.index, "payload_id"],
            "record_kind": kind,
            "source_ref": visible_column(staged.loc[verdicts.index, "source_ref"]),
            "unit_id": visible_column(_responsible_unit(kind, text).loc[verdicts.index]),
            "year": None if kind == "unit" else context.year,
            "rule": verdicts["rule"],
            "message": visible_column(verdicts["message"]),
        }
    )
    return Verdict(
        kind,
        records,
        quarantine,
        pd.DataFrame(
            {
                "payload_id": staged["payload_id"],
                "collection_id": staged["collection_id"],
                "status": status,
            }
        ),
    )


def _alias_conflict_messages(staged: pd.DataFrame) -> pd.Series:
    """Why a record is ambiguous (a field under its English key and its Chinese header with
    different values), or missing."""
    messages = pd.Series(pd.NA, index=staged.index, dtype="string")
    if "alias_conflicts" not in staged:
        return messages
    for position, conflicts in staged["alias_conflicts"].items():
        if conflicts:
            messages[position] = "; ".join(
                f"{c['name']} is given twice with different values ({quoted_value(c['english'])} "
                f"under its English name and {quoted_value(c['chinese'])} under its Chinese header); "
                "keep one column"
                for c in conflicts
            )
    return messages


def _malformed_messages(rows: pd.DataFrame, ambiguous: pd.Series) -> list[str]:
    """A reader's reason or the ambiguity, with where; else the generic sentence (few rows)."""
    reasons = rows["malformed_reason"] if "malformed_reason" in rows else pd.Series(pd.NA, index=rows.index)
    messages = []
    for where, reason, ambiguity in zip(rows["source_ref"], reasons, ambiguous, strict=True):
        specific = reason if isinstance(reason, str) else ambiguity if isinstance(ambiguity, str) else None
        messages.append(
            MALFORMED_MESSAGE + where if specific is None else f"{visible(specific)} (at {where})"
        )
    return messages


def decide_versions(kind: RecordKind, partitions: list[Verdict]) -> Verdict:
    """Phase 2, over all partitions: the latest valid version counts, the others are superseded.

    The result is ordered by payload id, so it does not depend on how the work was partitioned.
    """
    records = pd.concat([p.records for p in partitions], ignore_index=True)
    records = records.sort_values("payload_id", ignore_index=True)
    current = _current_versions(kind, records)
    records["status"] = np.where(current.to_numpy(), "accepted", "superseded")
    quarantine = pd.concat([p.quarantine for p in partitions], ignore_index=True)
    quarantine = quarantine.sort_values("payload_id", ignore_index=True)
    status = pd.concat([p.status for p in partitions], ignore_index=True)
    status = status.sort_values("payload_id", ignore_index=True)
    decided = status["payload_id"].map(records.set_index("payload_id")["status"])
    status["status"] = decided.where(status["status"] == "valid", status["status"])
    return Verdict(kind, records, quarantine, status)


def _responsible_unit(kind: RecordKind, text: pd.DataFrame) -> pd.Series:
    # The unit that must correct the record: the submitter, or the reviewing unit.
    return text["reviewer_unit_id"] if kind == "review" else text["unit_id"]


def _current_versions(kind: RecordKind, typed: pd.DataFrame) -> pd.Series:
    if kind == "unit":
        return latest_per_group([typed["unit_id"]], [typed["payload_id"]])
    if kind == "submission":
        return latest_per_group([typed["unit_id"]], [typed["submitted_at"], typed["submission_id"]])
    return latest_per_group(
        [typed["reviewer_unit_id"], typed["reviewee_unit_id"]],
        [typed["submitted_at"], typed["review_id"]],
    )
