"""The message catalogue: every word a person reads in report.html, report.xlsx, the notice, the
feedback sheets and the console, in English and Chinese.

The texts live in plain TOML files, one per language (`catalogue/en.toml`, `catalogue/zh.toml`),
so a translator edits one file and nothing else; a test checks that both files have the same keys.
Each file has a `[label]` section (page, workbook, notice and console texts, with Python format
fields) and one section per vocabulary of codes (`grade`, `reason`, `level`, `flag`, `method`,
`rule`, …). Codes themselves (grades, reasons, rule codes in CSV files) never change: only their
rendering for people does (docs/reports.md says what is and is not translated).

Babel was considered and not used: there is no plural or locale-dependent formatting to do beyond
thousands separators, and gettext catalogues would need a compile step for two languages.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final
from zoneinfo import ZoneInfo

from unionflow.clock import FEDERATION_TIMEZONE

LANGS: Final = ("en", "zh")
#: Grades best first: the order of every table, legend and chart.
GRADE_ORDER: Final = ("excellent", "good", "pass", "fail", "incomplete", "missing")
LEVEL_ORDER: Final = ("city", "county")
#: Where the federation is: every time shown to a person is in this zone, and says so.
TIMEZONE: Final = ZoneInfo(FEDERATION_TIMEZONE)


def check_lang(lang: str) -> str:
    """`lang` if it is supported, else a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


@cache
def _sections(lang: str) -> dict[str, dict[str, str]]:
    text = resources.files("unionflow.reports").joinpath(f"catalogue/{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


class _Labels(Mapping[str, str]):
    """The `[label]` section as a read-only mapping (templates read `t.title`, `t["title"]`)."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __getattr__(self, key: str) -> str:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class Catalogue:
    """The texts of one language."""

    lang: str

    @property
    def sections(self) -> dict[str, dict[str, str]]:
        """Every section of the language's file (section → key → text)."""
        return _sections(self.lang)

    @property
    def labels(self) -> _Labels:
        """The `[label]` section."""
        return _Labels(self.sections["label"])

    def text(self, key: str, **fields: Any) -> str:
        """A label, with its format fields filled in."""
        template = self.sections["label"][key]
        return template.format(**fields) if fields else template

    def code(self, section: str, code: object) -> str:
        """How a code of a vocabulary (`grade`, `rule`, …) reads; an unknown code as it is."""
        value = "" if code is None or (isinstance(code, float) and math.isnan(code)) else str(code)
        return self.sections[section].get(value, value)

    def codes(self, section: str, joined: object, separator: str | None = None) -> str:
        """Several codes joined with ';' (a quarantine `rule`), each rendered, joined for reading."""
        parts = [p for p in ("" if joined is None else str(joined)).split(";") if p]
        glue = separator if separator is not None else ("；" if self.lang == "zh" else "; ")
        return glue.join(self.code(section, p) for p in parts)

    def header(self, column: str) -> str:
        """A data-sheet column header: the CSV name in English, translated in Chinese."""
        return self.sections["header"].get(column, column)

    def time(self, value: object) -> str:
        """A moment as people read it: minutes in Asia/Shanghai, with the zone named.

        Naive values are taken as UTC (DuckDB's `timestamptz` comes back aware; older rows may
        not). Empty values give an empty string.
        """
        stamp = local_time(value)
        return "" if stamp is None else f"{stamp:%Y-%m-%d %H:%M} {self.text('time_zone')}"

    def date(self, day: dt.date) -> str:
        """A calendar date as people read it (2025年1月20日 / 2025-01-20)."""
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else day.isoformat()


def catalogue(lang: str) -> Catalogue:
    """The catalogue of a supported language."""
    return Catalogue(check_lang(lang))


def labels(lang: str) -> _Labels:
    """All `[label]` texts of a language."""
    return catalogue(lang).labels


def local_time(value: object) -> dt.datetime | None:
    """`value` (datetime, pandas Timestamp, ISO text) in Asia/Shanghai; None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value) is dt.datetime:  # DuckDB's own values: no pandas needed (issue 15)
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(TIMEZONE)
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(TIMEZONE).to_pydatetime()


def english_vocabulary() -> dict[str, set[str]]:
    """Every code and English label of the catalogue, by section (for the all-Chinese test)."""
    sections = _sections("en")
    return {name: set(values) | set(values.values()) for name, values in sections.items()}
