"""Per-unit feedback sheets: criterion means and reviewers' comments, reviewers anonymised.

These files go to the units themselves, so reviewers appear only as stable pseudonyms (R01, …);
leadership and steward outputs name the real reviewer units.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from unionflow.reports.pseudonyms import pseudonyms

CRITERIA = ("guidance", "skills", "innovation", "institution", "service")

LABELS = {
    "en": {
        "title": "Mutual-review feedback",
        "means": "Your scores by criterion",
        "criterion": "Criterion",
        "mean": "Mean score",
        "reviews": "Reviews",
        "comments": "Reviewers' comments",
        "reviewer": "Reviewer",
        "comment": "Comment",
        "none": "No comments.",
        "anonymity": "Reviewers are shown as pseudonyms; the numbering carries no meaning.",
        "criteria": {
            "guidance": "Guidance",
            "skills": "Skills",
            "innovation": "Innovation",
            "institution": "Institution building",
            "service": "Service to workers",
        },
    },
    "zh": {
        "title": "互评反馈",
        "means": "各项评分",
        "criterion": "评分项",
        "mean": "平均分",
        "reviews": "评审数",
        "comments": "评审意见",
        "reviewer": "评审单位",
        "comment": "意见",
        "none": "暂无意见。",
        "anonymity": "评审单位以代号显示，编号不代表任何顺序。",
        "criteria": {
            "guidance": "工作指导",
            "skills": "技能提升",
            "innovation": "创新创效",
            "institution": "制度建设",
            "service": "服务职工",
        },
    },
}

_SAFE = re.compile(r"[^A-Za-z0-9-]")


def safe_file_name(unit_id: str) -> str:
    """A file name from a unit id that can never leave its folder (ids are validated, but still)."""
    name = _SAFE.sub("_", unit_id).strip("._") or "unit"
    return f"{name}.html"


def write_feedback(
    out: Path, year: int, units: pd.DataFrame, reviews: pd.DataFrame, *, lang: str = "en"
) -> list[Path]:
    """Write one feedback sheet per reviewed unit into `out`; returns the paths written."""
    environment = Environment(
        loader=PackageLoader("unionflow.reports", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    template = environment.get_template("feedback.html.j2")
    out.mkdir(parents=True, exist_ok=True)
    reviews = reviews.assign(pseudonym=pseudonyms(reviews, year))
    names = units.set_index("unit_id")["name"]
    written = []
    for reviewee, own in reviews.groupby("reviewee_unit_id", sort=True):
        means = [{"criterion": c, "mean": float(own[c].mean()), "n": int(own[c].count())} for c in CRITERIA]
        comments = (
            own[own["comment"].fillna("").astype(str).str.strip() != ""]
            .sort_values("pseudonym")[["pseudonym", "comment"]]
            .to_dict("records")
        )
        unit = {"unit_id": reviewee, "name": names.get(reviewee, reviewee)}
        path = out / safe_file_name(str(reviewee))
        path.write_text(
            template.render(t=LABELS[lang], lang=lang, year=year, unit=unit, means=means, comments=comments),
            encoding="utf-8",
        )
        written.append(path)
    return written
