"""The report's decision-support sections: budget scenarios and the units to discuss (stability).

Rows for the page (text, formatted) and frames for the workbook sheets, from `ReportData`; every
word comes from the message catalogue.
"""

from __future__ import annotations

import pandas as pd

from unionflow.assessment.config import load_config
from unionflow.reports.catalogue import Catalogue
from unionflow.reports.data import ReportData


def _cny(value: object) -> str:
    return "" if value is None or value != value else f"{float(str(value)):,.0f}"


def scenario_rows(data: ReportData, cat: Catalogue) -> list[dict[str, str]]:
    """One row per budget scenario: its label, budget and what it would give."""
    frame = data.scenarios
    if frame is None or frame.empty:
        return []
    return [
        {
            "label": cat.text("scenario_share", share=int(r["share"])),
            "current": "1" if int(r["share"]) == 100 else "",
            "budget": _cny(r["budget"]),
            "funded": f"{int(r['funded']):,}",
            "min": _cny(r["min_amount"]),
            "median": _cny(r["median_amount"]),
            "max": _cny(r["max_amount"]),
            "at_floor": f"{int(r['at_floor']):,}",
            "at_cap": f"{int(r['at_cap']):,}",
            "unallocated": _cny(r["unallocated"]),
        }
        for r in frame.to_dict("records")
    ]


def stability_note(cat: Catalogue) -> str:
    """How the stability list was made: the resamples and the threshold of the config."""
    st = load_config().stability
    return cat.text("stability_note", share=f"{st.borderline_share * 100:g}", resamples=f"{st.resamples:,}")


def borderline_rows(data: ReportData, cat: Catalogue) -> list[dict[str, str]]:
    """The borderline units, by total descending: what could tip them and how often it does."""
    frame = data.stability
    if frame is None or frame.empty:
        return []
    names = data.names
    return [
        {
            "unit": names.get(r["unit_id"], r["unit_id"]),
            "unit_id": str(r["unit_id"]),
            "total": f"{r['total']:.2f}",
            "interval": f"{r['total_low']:.2f} – {r['total_high']:.2f}",
            "grade": cat.code("grade", r["grade"]),
            "kept": f"{r['grade_kept_share']:.0%}",
            "funded": cat.text("yes") if r["funded"] else cat.text("no"),
            "funded_share": f"{r['funded_share']:.0%}",
        }
        for r in frame[frame["borderline"]].to_dict("records")
    ]


def stability_sheet(data: ReportData, cat: Catalogue) -> pd.DataFrame:
    """The Stability sheet: every scored unit, shares in percent, yes/no in the reader's words."""
    frame = data.stability
    assert frame is not None
    words = {True: cat.text("yes"), False: cat.text("no")}
    return frame.assign(
        grade_kept_share=frame["grade_kept_share"] * 100.0,
        funded_share=frame["funded_share"] * 100.0,
        funded=frame["funded"].map(words),
        borderline=frame["borderline"].map(words),
    )
