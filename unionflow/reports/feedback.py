"""Per-unit feedback sheets: the unit's result, where its indicators stand in its level, its peer
scores against its level's, and the reviewers' comments, reviewers anonymised.

These files go to the units themselves, so reviewers appear only as stable pseudonyms (R01, R02, …
numbered consecutively among the reviewers whose comment is shown); leadership and steward
outputs name the real reviewer units. One sheet per active unit of the score run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from unionflow.assessment.config import RATES
from unionflow.reports.catalogue import Catalogue, catalogue
from unionflow.reports.data import missing
from unionflow.reports.pseudonyms import pseudonyms

CRITERIA = ("guidance", "skills", "innovation", "institution", "service")

_SAFE = re.compile(r"[^A-Za-z0-9-]")


def safe_file_name(unit_id: str) -> str:
    """A file name from a unit id that can never leave its folder (ids are validated, but still)."""
    name = _SAFE.sub("_", unit_id).strip("._") or "unit"
    return f"{name}.html"


@dataclass(frozen=True)
class FeedbackInputs:
    """What the sheets are made from, read by the caller from one score run (and its allocation).

    `scores` is `scores_of()` (unit_id, name, level, total, rank, rank_in_level, grade);
    `percentiles` has unit_id and one `pct_<rate>` column per indicator rate (`indicator_scores`);
    `reviews` are the valid reviews counted in scoring, with comments; `amounts` maps unit_id to
    its subsidy (empty when the year is not allocated yet).
    """

    year: int
    scores: pd.DataFrame
    percentiles: pd.DataFrame
    reviews: pd.DataFrame
    amounts: dict[str, int]
    #: Earlier years' published results (`warehouse.history.unit_history`), for year over year.
    history: pd.DataFrame | None = None


def _fmt(value: Any, digits: int = 1) -> str:
    return "–" if missing(value) else f"{float(value):.{digits}f}"


def _result(
    unit: Any, scores: pd.DataFrame, amounts: dict[str, int], cat: Catalogue
) -> list[tuple[str, str]]:
    ranked = scores["rank"].notna()
    in_level = ranked & (scores["level"] == unit.level)
    text = cat.labels

    def rank(value: Any, n: int) -> str:
        return text["fb_not_ranked"] if missing(value) else cat.text("fb_rank_value", rank=int(value), n=n)

    amount = amounts.get(str(unit.unit_id))
    return [
        (text["fb_total"], _fmt(unit.total, 2)),
        (text["fb_rank"], rank(unit.rank, int(ranked.sum()))),
        (text["fb_rank_in_level"], rank(unit.rank_in_level, int(in_level.sum()))),
        (text["fb_grade"], cat.code("grade", unit.grade)),
        (text["fb_amount"], "–" if amount is None else f"{int(amount):,}"),
    ]


def _criterion_means(reviews: pd.DataFrame, scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(unit → mean per criterion and review count, level → mean of its units' means)."""
    means = reviews.groupby("reviewee_unit_id")[list(CRITERIA)].mean()
    counts = reviews.groupby("reviewee_unit_id").size().rename("n")
    levels = scores.set_index("unit_id")["level"]
    by_level = means.groupby(means.index.map(levels)).mean()
    return means.join(counts), by_level


def write_feedback(out: Path, inputs: FeedbackInputs, *, lang: str = "en") -> list[Path]:
    """Write one feedback sheet per unit of the score run into `out`; returns the paths written."""
    cat = catalogue(lang)
    environment = Environment(
        loader=PackageLoader("unionflow.reports", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    template = environment.get_template("feedback.html.j2")
    out.mkdir(parents=True, exist_ok=True)
    reviews = inputs.reviews
    means, level_means = _criterion_means(reviews, inputs.scores)
    commented = reviews[reviews["comment"].fillna("").astype(str).str.strip() != ""]
    # Numbered among the shown comments only, so the pseudonyms run R01, R02, … without gaps.
    commented = commented.assign(pseudonym=pseudonyms(commented, inputs.year))
    comments_of = {k: g.sort_values("pseudonym") for k, g in commented.groupby("reviewee_unit_id")}
    percentiles = inputs.percentiles.set_index("unit_id")
    history = inputs.history if inputs.history is not None else pd.DataFrame(columns=["unit_id"])
    history_of = {k: g.sort_values("year") for k, g in history.groupby("unit_id")}
    written = []
    for unit in inputs.scores.sort_values("unit_id").itertuples(index=False):
        unit_id = str(unit.unit_id)
        pct = percentiles.loc[unit_id] if unit_id in percentiles.index else None
        indicators = [
            (cat.code("rate", rate), "–" if pct is None else _fmt(pct[f"pct_{rate}"], 0)) for rate in RATES
        ]
        own = means.loc[unit_id] if unit_id in means.index else None
        level = level_means.loc[unit.level] if unit.level in level_means.index else None
        criteria = [
            (
                cat.code("criterion", c),
                "–" if own is None else _fmt(own[c]),
                "–" if level is None else _fmt(level[c]),
                "0" if own is None else str(int(own["n"])),
            )
            for c in CRITERIA
        ]
        notes = comments_of.get(unit_id)
        comments = (
            [] if notes is None else list(zip(notes["pseudonym"], notes["comment"].astype(str), strict=True))
        )
        earlier = history_of.get(unit_id)
        years = (
            []
            if earlier is None
            else [
                {
                    "year": str(int(r.year)),
                    "total": _fmt(r.total, 2),
                    "grade": cat.code("grade", r.grade),
                    "rank": "–" if missing(r.rank) else str(int(r.rank)),
                    "amount": f"{int(r.amount_cny):,}",
                }
                for r in earlier.itertuples(index=False)
            ]
        )
        path = out / safe_file_name(unit_id)
        path.write_text(
            template.render(
                t=cat.labels,
                lang=lang,
                year=inputs.year,
                unit={"unit_id": unit_id, "name": str(unit.name), "level": cat.code("level", unit.level)},
                result=_result(unit, inputs.scores, inputs.amounts, cat),
                submitted=pct is not None,
                indicators=indicators,
                percentile_note=cat.text("fb_percentile_note", level=cat.code("level", unit.level)),
                criteria=criteria,
                comments=comments,
                history=years,
            ),
            encoding="utf-8",
        )
        written.append(path)
    return written
