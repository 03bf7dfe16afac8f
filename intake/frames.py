"""Turning staged payload text into the text and typed frames the contracts check."""

from __future__ import annotations

import pandas as pd

from expectations import numbers
from expectations.fields import FIELDS, Field
from sources.payloads import RecordKind


def _blank_to_na(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def text_frame(kind: RecordKind, extracted: pd.DataFrame) -> pd.DataFrame:
    """One text column per field (staging already chose the English key or the Chinese header);
    blanks are missing and numeric text is normalised."""
    columns = {}
    for field in FIELDS[kind]:
        value = _blank_to_na(extracted[field.name])
        if field.type in ("int", "money"):
            value = numbers.normalise_numeric_text(value)
        columns[field.name] = value
    return pd.DataFrame(columns, index=extracted.index)


def _typed(field: Field, text: pd.Series) -> pd.Series:
    if field.type == "int":
        return numbers.to_integer(text)
    if field.type == "money":
        return numbers.to_decimal(text)
    if field.type == "timestamp":
        return numbers.to_timestamp(text)
    return text


def typed_frame(kind: RecordKind, text: pd.DataFrame) -> pd.DataFrame:
    """Typed values (nullable Int64, Float64, UTC timestamps, text); unparseable → missing."""
    typed = pd.DataFrame(
        {field.name: _typed(field, text[field.name]) for field in FIELDS[kind]}, index=text.index
    )
    for field in FIELDS[kind]:
        if field.type == "money":
            # The exact decimal text is what the warehouse stores (DECIMAL(18,2)); floats only compare.
            typed[f"{field.name}_text"] = text[field.name]
        if field.type == "timestamp":
            typed[f"{field.name.removesuffix('_at')}_text"] = text[field.name]
    return typed


def fingerprint(kind: RecordKind, text: pd.DataFrame, typed: pd.DataFrame) -> pd.Series:
    """The content of each record as one string: typed values where they parse, text otherwise.

    Two payloads of the same id with equal fingerprints are the same record received twice (a
    replay) even when one came as CSV text and the other as JSON numbers.
    """
    parts = []
    for field in FIELDS[kind]:
        value = typed[field.name]
        if field.type == "timestamp":
            rendered = value.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").astype("string")
        else:
            rendered = value.astype("string")
        parts.append(rendered.fillna(text[field.name]).fillna("\u2205"))
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "\x1f" + part
    return joined
