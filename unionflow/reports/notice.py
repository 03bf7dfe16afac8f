"""The public notice (公示) of a year's proposed allocation: notice.md and notice.html.

The notice is what a federation posts for public comment before the allocation becomes final: the
year, the units proposed for subsidies with their amounts, the other assessed units with their
result, the objection period (14 days from the publication date by default) and whom to contact.
Settings come from a small TOML file (`[notice]` table, see `load_notice_settings`) or the defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from unionflow.assessment.config import ConfigError
from unionflow.clock import FEDERATION_TIMEZONE
from unionflow.reports.catalogue import catalogue, labels
from unionflow.reports.data import missing

if TYPE_CHECKING:  # the row type only: the notice never reads the warehouse
    from warehouse.publication import Notice

DEFAULT_OBJECTION_DAYS = 14
#: Printed when no contact is configured; a real notice should name an office and a phone number
#: (`notice_command` says so when the default is used).
DEFAULT_CONTACT = "市总工会产改工作办公室"


class NoticeSettings(BaseModel):
    """`[notice]` settings: objection period length, contact line, issuer and the local time zone."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    objection_days: Annotated[int, Field(ge=1)] = DEFAULT_OBJECTION_DAYS
    contact: str = DEFAULT_CONTACT
    issuer: str = ""  # e.g. "包头市总工会"; empty: the generic label of the language
    timezone: str = FEDERATION_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


def load_notice_settings(path: Path | None) -> NoticeSettings:
    """Read the `[notice]` table of a TOML file (other tables are ignored); None gives the defaults.

    Unknown keys and wrong types are a `ConfigError` naming the key (exit 2 on the CLI), so a typo
    never silently falls back to a default contact.
    """
    if path is None:
        return NoticeSettings()
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("notice", f"settings file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("notice", f"{path} is not valid TOML: {error}") from None
    table = raw.get("notice", {})
    if not isinstance(table, dict):
        raise ConfigError("notice", "must be a table")
    try:
        return NoticeSettings.model_validate(table)
    except ValidationError as invalid:
        raise _config_error(invalid, table) from None


def _config_error(invalid: ValidationError, table: dict[str, Any]) -> ConfigError:
    """The first problem of a `[notice]` table as one line naming its key."""
    problem = invalid.errors()[0]
    key = str(problem["loc"][0]) if problem["loc"] else ""
    value = table.get(key)
    if problem["type"] == "extra_forbidden":
        message = f"unknown key (known: {', '.join(NoticeSettings.model_fields)})"
    elif key == "objection_days":
        message = f"must be a whole number of days ≥ 1, got {value!r}"
    elif key == "timezone" and isinstance(value, str):
        message = f"unknown time zone {value!r}"
    else:
        message = f"must be a string, got {value!r}"
    return ConfigError(f"notice.{key}", message)


def md_text(text: Any) -> str:
    """Text safe inside a Markdown table cell: no markup, no HTML, no column breaks."""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_[]|#":
        value = value.replace(char, "\\" + char)
    return value


@dataclass(frozen=True)
class NoticeContent:
    """Everything the two notice templates show, already formatted for one language."""

    lang: str
    title: str
    intro: str
    period: str
    contact: str
    summary: str
    funded: list[dict[str, str]]
    others: list[dict[str, str]]
    total: str
    footer: str
    issuer: str


def notice_content(
    allocations: pd.DataFrame,
    levels: dict[str, str],
    notice: Notice,
    budget: int,
    lang: str,
    settings: NoticeSettings,
) -> NoticeContent:
    """Format a notice: funded units by amount, then total (highest first), then the other units by
    total; units of one amount are therefore listed in the order of their result, not their id.
    `budget` is the allocation run's, stated beside what was allocated."""
    cat = catalogue(lang)
    text = cat.labels
    year = notice.year
    days = (notice.period_end - notice.period_start).days + 1

    def row(number: int, r: Any) -> dict[str, str]:
        return {
            "no": str(number),
            "unit_id": str(r.unit_id),
            "name": str(r.name),
            "level": cat.code("level", levels.get(str(r.unit_id), "")),
            "grade": cat.code("grade", r.grade),
            "total": "" if missing(r.total) else f"{float(r.total):.2f}",
            "amount": f"{int(r.amount_cny):,}",
            "reason": cat.code("reason", r.reason),
        }

    ordered = allocations.sort_values(
        ["amount_cny", "total", "unit_id"], ascending=[False, False, True], na_position="last"
    )
    funded_frame = ordered[ordered["reason"] == "funded"]
    other_frame = ordered[ordered["reason"] != "funded"]
    funded = [row(i, r) for i, r in enumerate(funded_frame.itertuples(index=False), start=1)]
    others = [row(i, r) for i, r in enumerate(other_frame.itertuples(index=False), start=1)]
    allocated = int(funded_frame["amount_cny"].sum())
    return NoticeContent(
        lang=lang,
        title=text["notice_title"].format(year=year),
        intro=text["notice_intro"].format(year=year),
        period=text["notice_period_value"].format(
            start=cat.date(notice.period_start), end=cat.date(notice.period_end), days=days
        ),
        contact=notice.contact,
        summary=text["notice_summary"].format(
            funded=f"{len(funded):,}", allocated=f"{allocated:,}", budget=f"{budget:,}"
        ),
        funded=funded,
        others=others,
        total=f"{allocated:,}",
        footer=text["notice_run"].format(run=notice.allocation_run_id, date=cat.date(notice.period_start)),
        issuer=settings.issuer or text["notice_issuer"],
    )


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("unionflow.reports", "templates"),
        # HTML templates (*.html.j2) are autoescaped; the Markdown one escapes with its own |md filter.
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"), disabled_extensions=("md.j2",), default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_text
    return env


def render_notice_markdown(content: NoticeContent) -> str:
    """notice.md: plain Markdown; every value from the warehouse goes through the `md` filter."""
    return _environment().get_template("notice.md.j2").render(c=content, t=labels(content.lang))


def render_notice_html(content: NoticeContent) -> str:
    """notice.html: a printable, self-contained page (autoescaped, no network)."""
    template = _environment().get_template("notice.html.j2")
    return template.render(
        c=content, t=labels(content.lang), html_lang="zh-CN" if content.lang == "zh" else "en"
    )


def write_notice_files(content: NoticeContent, out: Path) -> list[Path]:
    """Write notice.md and notice.html of `content` into `out`; returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "notice.md", out / "notice.html"]
    files[0].write_text(render_notice_markdown(content), encoding="utf-8", newline="\n")
    files[1].write_text(render_notice_html(content), encoding="utf-8", newline="\n")
    return files
