"""Field lists, rule codes and Baotou constants shared by the synthetic-data modules (SPEC §4).

The field catalogue and the rule codes are those of `expectations/` (imported, never copied), so
the generator cannot drift from what the contracts check.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from expectations import fields
from expectations.rules import RULES

UNIT_COLUMNS: tuple[str, ...] = tuple(field.name for field in fields.UNIT_FIELDS)

SUBMISSION_FIELDS: tuple[str, ...] = tuple(field.name for field in fields.SUBMISSION_FIELDS)

# Indicator fields that are integer counts (everything numeric except the money field).
COUNT_FIELDS: tuple[str, ...] = tuple(
    field.name for field in fields.SUBMISSION_FIELDS if field.type == "int" and field.name != "year"
)

# Count fields that take part in no cross-field rule: a defect planted here cannot also trip
# `inconsistent`, which keeps each planted record breaking exactly the rules we list.
FREE_COUNT_FIELDS: tuple[str, ...] = (
    "skill_upgrades",
    "competitions",
    "innovation_results",
    "craftsmen_honors",
    "service_activities",
    "workers_served",
)

CHINESE_HEADERS: dict[str, str] = {field.name: field.zh for field in fields.SUBMISSION_FIELDS}

CRITERIA: tuple[str, ...] = fields.CRITERIA

REVIEW_COLUMNS: tuple[str, ...] = tuple(field.name for field in fields.REVIEW_FIELDS)

RULE_CODES: tuple[str, ...] = tuple(RULES)

UNIT_ID_PATTERN = re.compile(f"^{fields.UNIT_ID_PATTERN}$")
LEVELS: tuple[str, ...] = fields.LEVELS
SECTORS: tuple[str, ...] = fields.SECTORS

# Baotou's districts, banners and the high-tech zone, with rough weights of how many pilot units
# each would hold (the steel and machinery districts dominate).
DISTRICTS: tuple[str, ...] = (
    "昆都仑区",
    "青山区",
    "东河区",
    "九原区",
    "石拐区",
    "白云鄂博矿区",
    "土默特右旗",
    "固阳县",
    "达尔罕茂明安联合旗",
    "稀土高新区",
)
DISTRICT_WEIGHTS: tuple[float, ...] = (0.21, 0.17, 0.12, 0.12, 0.04, 0.04, 0.07, 0.05, 0.04, 0.14)

CITY_FEDERATION = "包头市总工会"
SUMMARY_MAX_CHARS = fields.SUMMARY_MAX

TZ = timezone(timedelta(hours=8))


def deadline(year: int) -> datetime:
    """The submission deadline of SPEC §4 for assessment `year` (Beijing time)."""
    return datetime(year + 1, 1, 15, 23, 59, 59, tzinfo=TZ)


def window_start(year: int) -> datetime:
    """When units start submitting for `year`: 1 December of that year."""
    return datetime(year, 12, 1, tzinfo=TZ)


def to_epoch(moment: datetime) -> int:
    """Seconds since the Unix epoch of an aware datetime (the integer time used internally)."""
    return int(moment.timestamp())


def iso(epoch_seconds: int) -> str:
    """ISO 8601 text with the +08:00 offset for an epoch-seconds value."""
    return datetime.fromtimestamp(epoch_seconds, TZ).isoformat()
