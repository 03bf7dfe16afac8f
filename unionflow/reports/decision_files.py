"""CSV files of the decision-support commands: scenarios.csv, scenario_summary.csv, stability.csv.

Written like the SPEC section 9 CSV files (UTF-8 with BOM, CRLF, text neutralised against formula
injection, 4-decimal scores), so they open the same way in Excel.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from unionflow.reports.cells import neutralise
from unionflow.reports.csv_files import formatted_rows, write_csv

SCENARIO_UNIT_FORMATS = (("unit_id", "text"), ("name", "text"), ("total", "score"), ("grade", "text"))
SCENARIO_SUMMARY_FORMATS = (
    ("scenario", "text"),
    ("method", "text"),
    ("budget", "int"),
    ("floor", "int"),
    ("cap", "int"),
    ("step", "int"),
    ("funded", "int"),
    ("min_amount", "int"),
    ("median_amount", "score"),
    ("max_amount", "int"),
    ("at_floor", "int"),
    ("at_cap", "int"),
    ("allocated", "int"),
    ("unallocated", "int"),
)


def write_scenarios(path: Path, amounts: pd.DataFrame, scenario_names: Sequence[str]) -> None:
    """scenarios.csv: one row per unit (by total descending, then unit_id), one amount column per
    scenario, then a TOTAL line with each scenario's sum."""
    ordered = amounts.sort_values(["total", "unit_id"], ascending=[False, True], na_position="last")
    formats = (*SCENARIO_UNIT_FORMATS, *((name, "int") for name in scenario_names))
    header = [*(name for name, _ in SCENARIO_UNIT_FORMATS), *(neutralise(name) for name in scenario_names)]
    total = ("TOTAL", "", "", "", *(str(int(ordered[name].sum())) for name in scenario_names))
    write_csv(path, header, itertools.chain(formatted_rows(ordered, formats), [total]))


def write_scenario_summary(path: Path, summary: pd.DataFrame) -> None:
    """scenario_summary.csv: per scenario its parameters, funded count, min/median/max amount,
    units at floor and cap, allocated and unallocated CNY."""
    header = [name for name, _ in SCENARIO_SUMMARY_FORMATS]
    write_csv(path, header, formatted_rows(summary, SCENARIO_SUMMARY_FORMATS))


STABILITY_FORMATS = (
    ("unit_id", "text"),
    ("name", "text"),
    ("total", "score"),
    ("grade", "text"),
    ("n_reviews", "int"),
    ("total_low", "score"),
    ("total_high", "score"),
    ("grade_kept_share", "score"),
    ("funded", "text"),
    ("funded_share", "score"),
    ("borderline", "text"),
)


def write_stability(path: Path, stability: pd.DataFrame) -> None:
    """stability.csv: per scored unit (by total descending, then unit_id) the interval of the
    total, the share of resamples keeping its grade, whether it is funded and how often, and the
    borderline mark (``true``/``false``)."""
    frame = stability.assign(
        funded=stability["funded"].map({True: "true", False: "false"}),
        borderline=stability["borderline"].map({True: "true", False: "false"}),
    )
    write_csv(path, [name for name, _ in STABILITY_FORMATS], formatted_rows(frame, STABILITY_FORMATS))
