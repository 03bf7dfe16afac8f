"""The field catalogue of SPEC section 4: one definition per field of each record kind.

Everything that reads records (staging SQL paths, contracts, messages) is driven from here, so a
field is named once. `zh` is the Chinese header that Excel exports from the portal use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from unionflow.records import RecordKind

FieldType = Literal["text", "int", "money", "timestamp", "choice", "unit_ref"]

SUMMARY_MAX = 5000
ID_MAX = 64


@dataclass(frozen=True)
class Field:
    """One field of a record kind and the contract rules that apply to it alone."""

    name: str
    type: FieldType
    zh: str
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    # Free text may hold tabs and line breaks; every other text is one line (`unsafe_text`).
    free_text: bool = False


def _count(name: str, zh: str, minimum: int = 0) -> Field:
    return Field(name, "int", zh, minimum=minimum)


SECTORS = (
    "department",
    "county_district",
    "township_street",
    "industrial_park",
    "central_soe",
    "regional_soe",
    "private_enterprise",
    "institution",
)
LEVELS = ("city", "county")
UNIT_ID_PATTERN = r"[A-Z0-9][A-Z0-9-]{2,31}"

UNIT_FIELDS: tuple[Field, ...] = (
    Field("unit_id", "text", "试点单位编号", pattern=UNIT_ID_PATTERN),
    Field("name", "text", "单位名称", max_length=200),
    Field("level", "choice", "层级", choices=LEVELS),
    Field("batch", "int", "批次", minimum=1, maximum=3),
    Field("sector", "choice", "类别", choices=SECTORS),
    Field("district", "text", "所在地区", max_length=100),
    Field("parent_union", "text", "上级工会", required=False, max_length=200),
    Field("active_from", "int", "起始年度", minimum=2000, maximum=2100),
    Field("active_to", "int", "终止年度", required=False, minimum=2000, maximum=2100),
)

SUBMISSION_FIELDS: tuple[Field, ...] = (
    Field("submission_id", "text", "申报编号", max_length=ID_MAX),
    Field("unit_id", "unit_ref", "试点单位编号"),
    Field("year", "int", "考核年度", minimum=2000, maximum=2100),
    Field("submitted_at", "timestamp", "提交时间"),
    _count("employees", "职工人数", minimum=1),
    _count("union_members", "工会会员数"),
    _count("training_sessions", "培训场次"),
    _count("trainees", "培训人次"),
    _count("skill_upgrades", "提升技术等级人次"),
    _count("competitions", "技能竞赛项数"),
    _count("competition_participants", "参赛人次"),
    _count("competition_finalists", "决赛人次"),
    _count("studios", "创新工作室数"),
    _count("studios_city_level", "市级以上工作室数"),
    _count("innovation_results", "创新成果数"),
    Field("innovation_value_cny", "money", "创效金额(元)", minimum=0),
    _count("proposals_submitted", "合理化建议数"),
    _count("proposals_adopted", "采纳数"),
    _count("craftsmen_honors", "工匠等荣誉人数"),
    _count("service_activities", "服务职工活动场次"),
    _count("workers_served", "服务职工人次"),
    Field("summary", "text", "工作总结", required=False, max_length=SUMMARY_MAX, free_text=True),
)

CRITERIA = ("guidance", "skills", "innovation", "institution", "service")
_CRITERIA_ZH = ("工作指导", "技能提升", "创新创效", "制度建设", "服务职工")

REVIEW_FIELDS: tuple[Field, ...] = (
    Field("review_id", "text", "评审编号", max_length=ID_MAX),
    Field("year", "int", "考核年度", minimum=2000, maximum=2100),
    Field("reviewer_unit_id", "unit_ref", "评审单位编号"),
    Field("reviewee_unit_id", "unit_ref", "被评单位编号"),
    *(
        Field(name, "int", zh, minimum=0, maximum=100)
        for name, zh in zip(CRITERIA, _CRITERIA_ZH, strict=True)
    ),
    Field("submitted_at", "timestamp", "提交时间"),
    Field("comment", "text", "评语", required=False, max_length=SUMMARY_MAX, free_text=True),
)

FIELDS: dict[RecordKind, tuple[Field, ...]] = {
    "unit": UNIT_FIELDS,
    "submission": SUBMISSION_FIELDS,
    "review": REVIEW_FIELDS,
}

# The field that identifies a record of each kind (replays and conflicting duplicates).
RECORD_KEY: dict[RecordKind, str] = {
    "unit": "unit_id",
    "submission": "submission_id",
    "review": "review_id",
}


def header_names(kind: RecordKind) -> frozenset[str]:
    """Every column name a table of `kind` may use: the field names and their Chinese headers
    (how the reader finds the XLSX sheet the records are on)."""
    return frozenset(name for f in FIELDS[kind] for name in (f.name, f.zh))


def json_path(key: str) -> str:
    """The JSON path of a top-level key, quoted so that any header (brackets, CJK) is literal."""
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'$."{escaped}"'
