"""What the HTML report and the workbook show, read once from the warehouse.

Both renderers take a `ReportData`, so they show the same figures and neither queries the warehouse
itself; tests can also build one by hand.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from unionflow.reports.labels import FLAGS, translate
from warehouse import allocation_runs, inputs, score_runs
from warehouse.connection import MissingData
from warehouse.publication import Headline, headline, score_run_hashes


@dataclass(frozen=True)
class ValidationSummary:
    """The outcome of the dataset validation (Great Expectations) as the report shows it.

    `lines` are short human-readable results (one per suite or check); `docs_link` is the Data Docs
    page relative to the report (None: no link).
    """

    success: bool
    lines: list[str] = field(default_factory=list)
    docs_link: str | None = "validation/index.html"


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, for one allocation run of a year."""

    year: int
    allocation_run_id: int
    run: dict[str, Any]  # allocation_runs row
    score_run: dict[str, Any]  # score_runs row
    headline: Headline
    scores: pd.DataFrame  # scores_of(): rank order, unranked last
    allocations: pd.DataFrame  # allocations_of(): amount descending, then unit_id
    flags: pd.DataFrame  # review_flags_of()
    quarantine: pd.DataFrame  # year_quarantine()
    validation: ValidationSummary | None = None
    # Calibrated peer method only: ranks under trimmed mean vs calibrated (empty otherwise).
    comparison: pd.DataFrame | None = None

    @property
    def names(self) -> dict[str, str]:
        """unit_id → name for the units of the year (to name reviewers in flags)."""
        return dict(zip(self.scores["unit_id"], self.scores["name"], strict=True))


def load_report_data(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    validation: ValidationSummary | None = None,
) -> ReportData:
    """Read an allocation run, its score run and the year's flags and quarantine."""
    run = allocation_runs.allocation_run(conn, allocation_run_id)
    if run is None or int(str(run["year"])) != year:
        raise MissingData(f"{year} has no allocation run {allocation_run_id}")
    score_run_id = int(str(run["score_run_id"]))
    return ReportData(
        year=year,
        allocation_run_id=allocation_run_id,
        run=run,
        score_run=score_run_hashes(conn, score_run_id),
        headline=headline(conn, year, allocation_run_id),
        scores=score_runs.scores_of(conn, score_run_id),
        allocations=allocation_runs.allocations_of(conn, allocation_run_id),
        flags=score_runs.review_flags_of(conn, score_run_id),
        quarantine=inputs.year_quarantine(conn, year),
        validation=validation,
        comparison=score_runs.comparison_of(conn, score_run_id),
    )


def missing(value: Any) -> bool:
    """None, pandas NA or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _num(value: Any, digits: int = 2) -> str:
    return "–" if missing(value) else f"{float(value):.{digits}f}"


_EVIDENCE: dict[str, dict[str, str]] = {
    "en": {
        "mutual_inflation": (
            "scored each other {ab} and {ba}; "
            "other reviewers' means {others_b} and {others_a} (margin {margin})"
        ),
        "flat_reviewer": "{n} reviews, every score {value}",
        "flat_reviewer_mixed": "{n} reviews, scores never vary",
        "contrarian": "correlation {corr} with other reviewers over {n} reviews",
    },
    "zh": {
        "mutual_inflation": "互评分别为 {ab} 和 {ba}；其他评审均值 {others_b} 和 {others_a}（阈值 {margin}）",
        "flat_reviewer": "{n} 份互评，各项均为 {value} 分",
        "flat_reviewer_mixed": "{n} 份互评，评分无变化",
        "contrarian": "{n} 份互评，与其他评审的相关系数为 {corr}",
    },
}


def evidence_summary(flag: str, evidence: str, lang: str) -> str:
    """A one-line reading of a review flag's JSON evidence; unknown shapes fall back to key=value."""
    try:
        data = json.loads(evidence)
    except (TypeError, ValueError):
        return str(evidence)
    if not isinstance(data, dict):
        return str(evidence)
    phrases = _EVIDENCE["zh" if lang == "zh" else "en"]
    try:
        if flag == "mutual_inflation":
            return phrases[flag].format(
                ab=_num(data["a_to_b_mean"], 1),
                ba=_num(data["b_to_a_mean"], 1),
                # a scored b, b scored a: each set against the others' mean for the same reviewee
                others_b=_num(data["others_mean_for_b"], 1),
                others_a=_num(data["others_mean_for_a"], 1),
                margin=_num(data["margin"], 0),
            )
        if flag == "flat_reviewer":
            values = set((data.get("scores") or {}).values())
            if len(values) == 1:
                return phrases[flag].format(n=data["n_reviews"], value=_num(values.pop(), 0))
            return phrases["flat_reviewer_mixed"].format(n=data["n_reviews"])
        if flag == "contrarian":
            return phrases[flag].format(corr=_num(data["correlation"], 2), n=data["n_reviews"])
    except (KeyError, TypeError, ValueError):
        pass
    return "; ".join(f"{key}={value}" for key, value in sorted(data.items()))


def flag_rows(data: ReportData, lang: str) -> list[dict[str, str]]:
    """The review flags as display rows: translated flag, named units, evidence summary."""
    names = data.names

    def unit(unit_id: Any) -> str:
        if missing(unit_id):
            return ""
        name = names.get(str(unit_id))
        return f"{name} ({unit_id})" if name else str(unit_id)

    return [
        {
            "flag": translate(FLAGS, lang, row.flag),
            "code": str(row.flag),
            "reviewer": unit(row.reviewer_unit_id),
            "reviewee": unit(row.reviewee_unit_id),
            "evidence": evidence_summary(str(row.flag), str(row.evidence), lang),
        }
        for row in data.flags.itertuples(index=False)
    ]


def comparison_rows(data: ReportData, limit: int = 25) -> list[dict[str, str]]:
    """The units whose rank calibration moved most (largest change first, then by calibrated rank)."""
    frame = data.comparison
    if frame is None or frame.empty:
        return []
    ranked = frame[frame["rank_calibrated"].notna() & frame["rank_trimmed_mean"].notna()].copy()
    ranked["change"] = ranked["rank_trimmed_mean"].astype(int) - ranked["rank_calibrated"].astype(int)
    ranked["size"] = ranked["change"].abs()
    ranked = ranked.sort_values(["size", "rank_calibrated", "unit_id"], ascending=[False, True, True]).head(
        limit
    )
    names = data.names
    return [
        {
            "unit": names.get(r.unit_id, r.unit_id),
            "unit_id": r.unit_id,
            "trimmed": str(int(r.rank_trimmed_mean)),
            "calibrated": str(int(r.rank_calibrated)),
            "change": f"{int(r.change):+d}",
            "total_trimmed": _num(r.total_trimmed_mean),
            "total_calibrated": _num(r.total_calibrated),
        }
        for r in ranked.itertuples(index=False)
    ]
