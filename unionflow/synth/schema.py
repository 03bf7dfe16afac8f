"""Field lists, rule codes and Baotou constants shared by the synthetic-data modules (SPEC §4)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

UNIT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "name",
    "level",
    "batch",
    "sector",
    "district",
    "parent_union",
    "active_from",
    "active_to",
)

SUBMISSION_FIELDS: tuple[str, ...] = (
    "submission_id",
    "unit_id",
    "year",
    "submitted_at",
    "employees",
    "union_members",
    "training_sessions",
    "trainees",
    "skill_upgrades",
    "competitions",
    "competition_participants",
    "competition_finalists",
    "studios",
    "studios_city_level",
    "innovation_results",
    "innovation_value_cny",
    "proposals_submitted",
    "proposals_adopted",
    "craftsmen_honors",
    "service_activities",
    "workers_served",
    "summary",
)

# Indicator fields that are integer counts (everything numeric except the money field).
COUNT_FIELDS: tuple[str, ...] = (
    "employees",
    "union_members",
    "training_sessions",
    "trainees",
    "skill_upgrades",
    "competitions",
    "competition_participants",
    "competition_finalists",
    "studios",
    "studios_city_level",
    "innovation_results",
    "proposals_submitted",
    "proposals_adopted",
    "craftsmen_honors",
    "service_activities",
    "workers_served",
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

CHINESE_HEADERS: dict[str, str] = {
    "submission_id": "申报编号",
    "unit_id": "试点单位编号",
    "year": "考核年度",
    "submitted_at": "提交时间",
    "employees": "职工人数",
    "union_members": "工会会员数",
    "training_sessions": "培训场次",
    "trainees": "培训人次",
    "skill_upgrades": "提升技术等级人次",
    "competitions": "技能竞赛项数",
    "competition_participants": "参赛人次",
    "competition_finalists": "决赛人次",
    "studios": "创新工作室数",
    "studios_city_level": "市级以上工作室数",
    "innovation_results": "创新成果数",
    "innovation_value_cny": "创效金额(元)",
    "proposals_submitted": "合理化建议数",
    "proposals_adopted": "采纳数",
    "craftsmen_honors": "工匠等荣誉人数",
    "service_activities": "服务职工活动场次",
    "workers_served": "服务职工人次",
    "summary": "工作总结",
}

CRITERIA: tuple[str, ...] = ("guidance", "skills", "innovation", "institution", "service")

REVIEW_COLUMNS: tuple[str, ...] = (
    "review_id",
    "year",
    "reviewer_unit_id",
    "reviewee_unit_id",
    *CRITERIA,
    "submitted_at",
    "comment",
)

RULE_CODES: tuple[str, ...] = (
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
    "unassigned",
)

UNIT_ID_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
LEVELS: tuple[str, ...] = ("city", "county")
SECTORS: tuple[str, ...] = (
    "department",
    "county_district",
    "township_street",
    "industrial_park",
    "central_soe",
    "regional_soe",
    "private_enterprise",
    "institution",
)

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
SUMMARY_MAX_CHARS = 5000

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
