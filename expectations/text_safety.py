"""The `unsafe_text` rule: text that would hide, reorder or corrupt what readers see.

Names, ids and other one-line text may hold no control character at all (C0, DEL, C1); free text
(a submission's summary, a review's comment) may also hold tabs and line breaks (\\n, \\r\\n). No
text may hold a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069): such a
character makes a published name read differently from what is stored (`ABC‮DEF` shows as
`ABCFED`). A record with one is quarantined, so such text never reaches a report, a CSV or the
portal. The same character sets escape any text a message quotes (`visible`).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 controls except tab, line feed and carriage return (those are judged below), DEL, C1.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"

# Patterns for pyarrow's RE2 (no look-ahead): a carriage return must start a \r\n.
ONE_LINE = f"[{_CONTROLS}\t\n\r{BIDI}]"
FREE_TEXT = f"[{_CONTROLS}{BIDI}]|\r(?:[^\n]|$)"

_UNSAFE_ANYWHERE = re.compile(f"[{_CONTROLS}\t\n\r{BIDI}]")


def unsafe(values: pd.Series, *, free_text: bool) -> pd.Series:
    """True where a text holds a character its field does not allow (missing values: False)."""
    pattern = FREE_TEXT if free_text else ONE_LINE
    return values.astype("string[pyarrow]").str.contains(pattern, regex=True).fillna(False).astype(bool)


def _offending(text: str, free_text: bool) -> re.Match[str] | None:
    for match in _UNSAFE_ANYWHERE.finditer(text):
        char = match.group()
        allowed = free_text and (char in "\t\n" or text.startswith("\r\n", match.start()))
        if not allowed:
            return match
    return None


def describe(char: str) -> str:
    """A character as a steward can look it up: U+202E RIGHT-TO-LEFT OVERRIDE."""
    name = unicodedata.name(char, "")
    if not name:
        name = "control character" if unicodedata.category(char) == "Cc" else "unnamed character"
    return f"U+{ord(char):04X} {name}"


def explain(column: str, values: pd.Series, *, free_text: bool) -> pd.Series:
    """The steward's message for each unsafe value: which character, and where."""
    allowed = " (tabs and line breaks are allowed here)" if free_text else ""

    def one(text: object) -> str:
        value = str(text)
        match = _offending(value, free_text)
        if match is None:  # cannot happen for a failing value; keep the message total anyway
            return f"{column} holds a character that is not allowed"
        return (
            f"{column} holds {describe(match.group())} at character {match.start() + 1}, which hides "
            f"or reorders text when shown; remove it{allowed}"
        )

    return values.map(one).astype("string")


def visible(text: str) -> str:
    """Text with every control character and bidi override written as an escape (\\u202e)."""
    return _UNSAFE_ANYWHERE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def quoted_value(text: str, limit: int = 60) -> str:
    """One value as a message quotes it: escaped (`visible`), cut to `limit`, in quotes."""
    value = visible(text)
    return "'" + (value if len(value) <= limit else value[: limit - 3] + "...") + "'"


def visible_column(values: pd.Series) -> pd.Series:
    """`visible` over a column, touching only the values that need it (quarantine rows and their
    messages are published: they must never carry a NUL or an override raw)."""
    text = values.astype("string")
    bad = text.str.contains(_UNSAFE_ANYWHERE.pattern, regex=True).fillna(False).astype(bool)
    if not bad.any():
        return values
    return text.where(~bad, text[bad].map(visible).astype("string"))
