"""What the HTML report, the workbook and the console show (read once from the warehouse by
`tasks.reports.load_report_data`).

The renderers take a `ReportData`, so they show the same figures and none queries the warehouse
itself; tests can also build one by hand. The headline figures are listed once here
(`headline_figures`): the page's tiles, the workbook's Summary sheet and the console all iterate
the same list, so no two places can disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from unionflow.reports.catalogue import Catalogue
from unionflow.reports.evidence import evidence_sentence
from unionflow.reports.findings import ValidationSummary
from unionflow.reports.leftover import leftover_reason_text

if TYPE_CHECKING:  # the row type only: renderers never read the warehouse
    from warehouse.publication import Headline
    from warehouse.run_rows import AllocationRun, ScoreRun

__all__ = ["Figure", "ReportData", "ValidationSummary", "currency_line", "headline_figures"]


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, for one allocation run of a year."""

    year: int
    allocation_run_id: int
    run: AllocationRun
    score_run: ScoreRun  # the score run `run` split the budget over
    headline: Headline
    scores: pd.DataFrame  # scores_of(): rank order, unranked last
    allocations: pd.DataFrame  # allocations_of(): amount descending, then unit_id
    flags: pd.DataFrame  # review_flags_of()
    quarantine: pd.DataFrame  # year_quarantine()
    validation: ValidationSummary | None = None
    # Calibrated peer method only: ranks under trimmed mean vs calibrated (empty otherwise).
    comparison: pd.DataFrame | None = None
    # Decision support (drafts beside the allocation): budget scenario summary rows
    # (assessment.scenarios.report_scenarios) and stability per scored unit (unit_stability).
    scenarios: pd.DataFrame | None = None
    stability: pd.DataFrame | None = None
    # Earlier years' published results (warehouse.history.unit_history), for year over year.
    history: pd.DataFrame | None = None

    @property
    def names(self) -> dict[str, str]:
        """unit_id → name for the units of the year (to name reviewers in flags)."""
        return dict(zip(self.scores["unit_id"], self.scores["name"], strict=True))


@dataclass(frozen=True)
class Figure:
    """One headline figure: its key (a catalogue label and the page's `data-figure`), value, note."""

    key: str
    value: int
    note: str
    money: bool = False


#: The headline figures, in the order every output shows them (definitions: docs/reports.md).
COUNT_FIGURES = ("registered", "submitted", "accepted", "quarantined", "reviews", "scored", "funded")
MONEY_FIGURES = ("budget", "allocated", "unallocated")


def headline_figures(h: Headline, year: int, cat: Catalogue) -> list[Figure]:
    """The headline figures with their notes, counts first, then the money."""
    notes = {
        "registered": cat.text("registered_note", year=year),
        "submitted": cat.text("submitted_note"),
        "accepted": cat.text("accepted_note"),
        "quarantined": cat.text(
            "quarantined_note",
            submissions=f"{h.quarantined_submissions:,}",
            reviews=f"{h.quarantined_reviews:,}",
            units=f"{h.quarantined_units:,}",
        ),
        "reviews": cat.text("reviews_note", received=f"{h.reviews_received:,}"),
        "scored": cat.text("scored_note"),
        "funded": cat.text("funded_note"),
        "budget": cat.text("budget_note"),
        "allocated": cat.text("allocated_note", funded=f"{h.funded:,}"),
        "unallocated": cat.text("unallocated_note")
        if h.unallocated_reason is None
        else cat.text(
            "unallocated_reason_note",
            reason=leftover_reason_text(h.unallocated_reason, h.unallocated_params, cat),
        ),
    }
    figures = [Figure(key, int(getattr(h, key)), notes[key]) for key in COUNT_FIGURES]
    figures += [Figure(key, int(getattr(h, key)), notes[key], money=True) for key in MONEY_FIGURES]
    return figures


def currency_line(data: ReportData, cat: Catalogue) -> str:
    """For a published run, that its results are current: the scoring input hash and the moment
    of publication, read from the stored runs ("" for a draft).

    The publish flow refuses stale results (`warehouse.freshness.check_current`) before it marks
    the run published, so the hash its score run recorded was the accepted inputs' hash then; the
    sentence is built from stored values only, so a report rendered again reads the same.
    """
    when = cat.time(data.run.published_at)
    if not when:
        return ""
    return cat.text(
        "current_at_publication",
        hash=data.score_run.input_hash,
        score_run=data.run.score_run_id,
        when=when,
    )


def missing(value: Any) -> bool:
    """None, pandas NA or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _num(value: Any, digits: int = 2) -> str:
    return "–" if missing(value) else f"{float(value):.{digits}f}"


def unit_label(unit_id: Any, names: dict[str, str]) -> str:
    """`Name (ID)`, or the id alone when the unit has no name in the year."""
    if missing(unit_id):
        return ""
    name = names.get(str(unit_id))
    return f"{name} ({unit_id})" if name else str(unit_id)


def flag_rows(data: ReportData, cat: Catalogue) -> list[dict[str, str]]:
    """The review flags as display rows: translated flag, named units, evidence sentence."""
    names = data.names
    return [
        {
            "flag": cat.code("flag", row.flag),
            "code": str(row.flag),
            "reviewer": unit_label(row.reviewer_unit_id, names),
            "reviewee": unit_label(row.reviewee_unit_id, names),
            "evidence": evidence_sentence(str(row.flag), str(row.evidence), cat),
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
