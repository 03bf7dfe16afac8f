"""Year over year: each unit's published results of the earlier years beside this year's.

From `ReportData.history` (the earlier years' published total, grade, rank and amount) and this
year's scores and allocations. A unit improved (declined) when its grade is higher (lower) than
in the latest earlier year; units without a scored grade in both years are not counted.
"""

from __future__ import annotations

import pandas as pd

from unionflow.reports.catalogue import Catalogue
from unionflow.reports.data import ReportData

#: Scored grades, best first: a move up this list is an improvement.
GRADE_RANKING = ("excellent", "good", "pass", "fail")
TREND_COLUMNS = ("year", "unit_id", "name", "total", "grade", "rank", "amount_cny")


def trend_table(data: ReportData) -> pd.DataFrame:
    """Every unit's rows, earlier years first then this year (:data:`TREND_COLUMNS`), by unit_id."""
    history = data.history
    current = data.scores[["unit_id", "total", "grade", "rank"]].merge(
        data.allocations[["unit_id", "amount_cny"]], on="unit_id", how="left"
    )
    current = current.assign(year=data.year)
    frames = [current] if history is None or history.empty else [history, current]
    table = pd.concat(frames, ignore_index=True)
    table["name"] = table["unit_id"].map(data.names).fillna("")
    table = table[table["unit_id"].isin(set(data.scores["unit_id"]))]
    return table.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)[list(TREND_COLUMNS)]


def previous_years(data: ReportData) -> list[int]:
    """The earlier years the report can show, oldest first."""
    if data.history is None or data.history.empty:
        return []
    return sorted(int(y) for y in data.history["year"].unique())


def grade_moves(data: ReportData) -> tuple[int, int]:
    """(units that improved a grade, units that declined) against the latest earlier year."""
    years = previous_years(data)
    if not years:
        return 0, 0
    assert data.history is not None
    last = data.history[data.history["year"] == years[-1]].set_index("unit_id")["grade"]
    now = data.scores.set_index("unit_id")["grade"]
    both = pd.DataFrame({"before": last, "now": now}).dropna()
    both = both[both["before"].isin(GRADE_RANKING) & both["now"].isin(GRADE_RANKING)]
    before = both["before"].map(GRADE_RANKING.index)
    after = both["now"].map(GRADE_RANKING.index)
    return int((after < before).sum()), int((after > before).sum())


def trend_rows(data: ReportData, cat: Catalogue, limit: int) -> list[dict[str, object]]:
    """The page's rows: units in this year's rank order, each with its total and grade per year
    (earlier years first), the change of total since the latest earlier year and its amount."""
    years = previous_years(data)
    if not years:
        return []
    table = trend_table(data)
    by_unit = {unit: group.set_index("year") for unit, group in table.groupby("unit_id", sort=False)}
    out: list[dict[str, object]] = []
    ranked = data.scores.sort_values(["rank", "unit_id"], na_position="last", kind="stable")
    for unit_id in ranked["unit_id"].head(limit):
        rows = by_unit.get(unit_id)
        if rows is None:
            continue
        cells = []
        for y in [*years, data.year]:
            if y in rows.index:
                r = rows.loc[y]
                total = "" if pd.isna(r["total"]) else f"{float(r['total']):.2f}"
                rank = "" if pd.isna(r["rank"]) else str(int(r["rank"]))
                amount = "" if pd.isna(r["amount_cny"]) else f"{int(r['amount_cny']):,}"
                cells.append(
                    {"total": total, "grade": cat.code("grade", r["grade"]), "rank": rank, "amount": amount}
                )
            else:
                cells.append({"total": "", "grade": "", "rank": "", "amount": ""})
        change = ""
        if (
            years[-1] in rows.index
            and not pd.isna(rows.loc[years[-1], "total"])
            and not pd.isna(rows.loc[data.year, "total"])
        ):
            change = f"{float(rows.loc[data.year, 'total']) - float(rows.loc[years[-1], 'total']):+.2f}"
        out.append(
            {"unit": data.names.get(unit_id, unit_id), "unit_id": unit_id, "cells": cells, "change": change}
        )
    return out
