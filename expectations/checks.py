"""Record contracts as pandera schemas whose checks are named after SPEC rule codes.

Each `RecordCheck` pairs a vectorised test with the sentence a data steward reads when it fails.
Validation is lazy and set-wise; quarantine rows are built from pandera's `failure_cases`
(not from `drop_invalid_rows`, which has open bugs), keyed by each failing row's index label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from expectations import numbers, text_safety
from expectations.fields import Field

Explain = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class RecordCheck:
    """One contract rule: the rule code, the column it looks at (None: the whole row), the test
    (True = the record passes; missing values pass, they are `missing_field`'s business) and
    how to explain a failure to a steward."""

    name: str
    rule: str
    column: str | None
    passes: Callable[[Any], pd.Series]
    explain: Explain


def quoted(values: pd.Series) -> pd.Series:
    """Values as they will appear inside messages: quoted, cut to a readable length, with
    control characters and bidi overrides escaped (a message never carries them raw)."""
    text = values.astype("string").fillna("")
    unsafe = text_safety.unsafe(text, free_text=False)
    if unsafe.any():
        text = text.where(~unsafe, text[unsafe].map(text_safety.visible).astype("string"))
    text = text.where(text.str.len() <= 60, text.str.slice(0, 57) + "...")
    return "'" + text + "'"


def as_text(values: pd.Series) -> pd.Series:
    """Values rendered plainly for messages (integers without a trailing .0)."""
    return values.astype("string").fillna("(empty)")


def _passing(result: pd.Series) -> pd.Series:
    # pandera needs plain booleans; a comparison with a missing value is not this rule's failure.
    return result.astype("boolean").fillna(True).astype(bool)


def _column_check(
    name: str, rule: str, column: str, passes: Callable[[pd.Series], pd.Series], what: str
) -> RecordCheck:
    """A check of one column whose message is "<column> <value> <what>"."""

    def explain(rows: pd.DataFrame) -> pd.Series:
        return column + " " + quoted(rows[column]) + " " + what

    return RecordCheck(name, rule, column, lambda s: _passing(passes(s)), explain)


def _fits_a_count(text: pd.Series) -> pd.Series:
    # A whole number that does not fit a 64-bit count would otherwise silently become missing.
    return ~numbers.is_too_long_integer(text).fillna(False).astype(bool)


def field_text_checks(field: Field) -> list[RecordCheck]:
    """Rules a single field's text breaks before any typing: numbers, times, lengths, choices."""
    name = field.name
    checks: list[RecordCheck] = []
    if field.type == "int":
        checks.append(
            _column_check(
                f"not_a_number:{name}", "not_a_number", name, numbers.is_integer_text,
                "is not a whole number; enter digits only",
            )
        )  # fmt: skip
        checks.append(
            _column_check(
                f"out_of_range:{name}:magnitude", "out_of_range", name,
                _fits_a_count,
                "is too large to be a count",
            )
        )  # fmt: skip
    elif field.type == "money":
        checks.append(
            _column_check(
                f"not_a_number:{name}", "not_a_number", name, numbers.is_decimal_text,
                "is not an amount in CNY; enter digits only",
            )
        )  # fmt: skip
        checks.append(
            _column_check(
                f"out_of_range:{name}:magnitude", "out_of_range", name,
                lambda s: numbers.to_decimal(s).abs() < numbers.MONEY_LIMIT,
                f"is too large (at most {numbers.MONEY_LIMIT:,.0f} CNY minus one fen)",
            )
        )  # fmt: skip
        checks.append(
            _column_check(
                f"out_of_range:{name}:decimals", "out_of_range", name,
                lambda s: numbers.decimal_places(s) <= 2, "has more than 2 decimal places",
            )
        )  # fmt: skip
    elif field.type == "timestamp":
        checks.append(
            _column_check(
                f"bad_timestamp:{name}", "bad_timestamp", name, numbers.is_timestamp_text,
                "is not an ISO 8601 time with offset, e.g. 2025-12-20T10:00:00+08:00",
            )
        )  # fmt: skip
    if field.type in ("text", "unit_ref", "choice"):
        checks.append(_unsafe_text_check(name, free_text=field.free_text))
    if field.max_length is not None:
        checks.append(_length_check(name, field.max_length))
    if field.choices:
        allowed = field.choices
        checks.append(
            _column_check(
                f"out_of_range:{name}:choice", "out_of_range", name,
                lambda s: s.isin(allowed).where(s.notna()), "is not one of " + ", ".join(allowed),
            )
        )  # fmt: skip
    if field.pattern is not None:
        pattern = field.pattern
        checks.append(
            _column_check(
                f"out_of_range:{name}:pattern", "out_of_range", name, lambda s: numbers.fullmatch(s, pattern),
                "is not a valid id (capital letters, digits and '-', 3 to 32 characters)",
            )
        )  # fmt: skip
    return checks


def _unsafe_text_check(column: str, *, free_text: bool) -> RecordCheck:
    def explain(rows: pd.DataFrame) -> pd.Series:
        return text_safety.explain(column, rows[column], free_text=free_text)

    return RecordCheck(
        f"unsafe_text:{column}",
        "unsafe_text",
        column,
        lambda s: ~text_safety.unsafe(s, free_text=free_text),
        explain,
    )


def _length_check(column: str, limit: int) -> RecordCheck:
    def explain(rows: pd.DataFrame) -> pd.Series:
        length = rows[column].str.len().astype("string")
        return column + " has " + length + f" characters; at most {limit:,} are allowed"

    return RecordCheck(
        f"too_long:{column}", "too_long", column, lambda s: _passing(s.str.len() <= limit), explain
    )


def _bound_check(column: str, bound: int, *, lower: bool) -> RecordCheck:
    side = "minimum" if lower else "maximum"

    def passes(values: pd.Series) -> pd.Series:
        return _passing(values >= bound if lower else values <= bound)

    def explain(rows: pd.DataFrame) -> pd.Series:
        relation = "below" if lower else "above"
        return column + " " + as_text(rows[column]) + f" is {relation} the {side} {bound}"

    return RecordCheck(f"out_of_range:{column}:{side}", "out_of_range", column, passes, explain)


def field_range_checks(field: Field) -> list[RecordCheck]:
    """Bounds on a field's typed value (`out_of_range`)."""
    if field.type not in ("int", "money"):
        return []
    checks = []
    if field.minimum is not None:
        checks.append(_bound_check(field.name, field.minimum, lower=True))
    if field.maximum is not None:
        checks.append(_bound_check(field.name, field.maximum, lower=False))
    return checks


def row_check(
    name: str, rule: str, passes: Callable[[pd.DataFrame], pd.Series], explain: Explain
) -> RecordCheck:
    """A rule over several fields of a row (cross-field or context rules)."""
    return RecordCheck(name, rule, None, lambda frame: _passing(passes(frame)), explain)


def not_greater(rule_name: str, small: str, large: str, *, when: str | None = None) -> RecordCheck:
    """`inconsistent` when `small` exceeds `large` (optionally only where `when` > 0)."""

    def passes(frame: pd.DataFrame) -> pd.Series:
        ok = frame[small] <= frame[large]
        if when is not None:
            ok = ok | ~(frame[when] > 0)
        return ok

    return row_check(
        f"inconsistent:{rule_name}",
        "inconsistent",
        passes,
        lambda rows: small + " " + as_text(rows[small]) + " exceeds " + large + " " + as_text(rows[large]),
    )


def schema_of(
    checks: Sequence[RecordCheck], columns: Sequence[str], required: Sequence[str] = ()
) -> pa.DataFrameSchema:
    """A lazy-validatable pandera schema running `checks`; `required` columns must not be null."""
    by_column: dict[str, list[pa.Check]] = {column: [] for column in columns}
    frame_checks = []
    for check in checks:
        pandera_check = pa.Check(check.passes, name=check.name, ignore_na=False)
        if check.column is None:
            frame_checks.append(pandera_check)
        else:
            by_column[check.column].append(pandera_check)
    return pa.DataFrameSchema(
        {
            column: pa.Column(nullable=column not in required, checks=column_checks, required=True)
            for column, column_checks in by_column.items()
        },
        checks=frame_checks,
        coerce=False,
    )


def failures(schema: pa.DataFrameSchema, checks: Sequence[RecordCheck], frame: pd.DataFrame) -> pd.DataFrame:
    """Run `schema` lazily over `frame`; one row per (record, broken check): index, column, rule,
    message."""
    empty = pd.DataFrame({"index": pd.Series(dtype="int64"), "column": [], "rule": [], "message": []})
    if frame.empty:
        return empty
    try:
        schema.validate(frame, lazy=True)
        return empty
    except SchemaErrors as error:
        cases = error.failure_cases
    by_name = {check.name: check for check in checks}
    unexplained = cases[cases["index"].isna()]
    if not unexplained.empty:
        # A check that raised instead of answering is a bug in the contract, not bad data.
        raise RuntimeError(f"contract check failed to run: {unexplained.to_dict('records')}")
    # pandera reports a row check's failure once per column of the row; explain it once per row.
    row_checks = [check.name for check in checks if check.column is None]
    cases = cases.assign(column=cases["column"].where(~cases["check"].isin(row_checks)))
    pieces = []
    for (check_name, column), group in cases.groupby(["check", "column"], dropna=False, sort=True):
        index = pd.Index(group["index"].astype("int64").unique())
        if check_name == "not_nullable":
            rule, message = (
                "missing_field",
                pd.Series(f"{column} is missing; fill it in", index=index),
            )
        else:
            check = by_name[str(check_name)]
            # A column check explains itself from its own column: no need to take the others.
            rows = frame.loc[index] if check.column is None else frame.loc[index, [check.column]]
            rule, message = check.rule, check.explain(rows)
        pieces.append(
            pd.DataFrame(
                {
                    "index": index,
                    "column": None if pd.isna(column) else str(column),
                    "rule": rule,
                    "message": message.to_numpy(),
                }
            )
        )
    return pd.concat(pieces, ignore_index=True) if pieces else empty
