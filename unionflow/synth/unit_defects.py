"""Planting bad registry rows into units.csv (see `defects` for the submissions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from unionflow.synth import rng
from unionflow.synth.records import Planted, UnitSet
from unionflow.synth.registry import Registry, id_width


def plant_unit_defects(registry: Registry, seed: int) -> UnitSet:
    """units.csv rows: the registry plus two bad rows (bad id pattern; level outside city/county).

    Uses a year-free stream so units.csv is identical for every year with the same seed.
    """
    gen = rng.stream(seed, rng.DEFECTS)
    good = registry.units
    width = id_width(len(good))
    template: dict[str, Any] = {str(k): v for k, v in good.iloc[0].items()}
    bad_id = dict(
        template,
        unit_id=f"bt-c {len(good) + 1:0{width}d}",
        name="包头市鑫达机械制造有限公司",
        sector="private_enterprise",
        parent_union="包头市机械工会",
        active_to="",
    )
    bad_level = dict(
        template,
        unit_id=f"BT-P-{1:0{width}d}",
        name="内蒙古自治区总工会驻包头工作组",
        level="province",
        sector="department",
        parent_union="包头市总工会",
        active_to="",
    )
    bad = pd.DataFrame([bad_id, bad_level], columns=good.columns)
    positions = np.sort(gen.choice(len(good) + 1, size=2, replace=False))
    # Insert the bad rows among the good ones (after `positions[k]` good rows).
    parts, start = [], 0
    for k, pos in enumerate(positions):
        parts += [good.iloc[start:pos], bad.iloc[[k]]]
        start = int(pos)
    parts.append(good.iloc[start:])
    frame = pd.concat(parts, ignore_index=True)
    ids = frame["unit_id"].to_numpy(dtype=object)
    rows = {str(ids[i]): int(i) for i in np.flatnonzero(np.isin(ids, bad["unit_id"].to_numpy()))}
    planted = []
    for unit_id, kind, field, detail in (
        (bad_id["unit_id"], "bad_unit_id", "unit_id", "lower case and a space: fails the pattern"),
        (bad_level["unit_id"], "bad_level", "level", "level 'province' is neither city nor county"),
    ):
        row = rows[unit_id] + 2  # spreadsheet row: the header is row 1
        planted.append(
            Planted(
                "unit",
                kind,
                ["out_of_range"],
                unit_id,
                unit_id,
                field,
                detail,
                location={"file": "units.csv", "row": row, "source_ref": f"units.csv#row={row}"},
            )
        )
    return UnitSet(frame=frame, planted=planted)
