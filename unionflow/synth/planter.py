"""The pool submission defects are planted from: every planted record uses a different unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd

from unionflow.synth import rng
from unionflow.synth.records import ExtraRecord, Planted
from unionflow.synth.registry import Registry, id_width
from unionflow.synth.schema import (
    FREE_COUNT_FIELDS,
    SUBMISSION_FIELDS,
    deadline,
    to_epoch,
    window_start,
)
from unionflow.synth.submissions import submission_id_width, submission_ids

DEFECT_RATE = 0.001  # per defect kind, of the number of units (at least one of each)
OUTLIER_RATE = 0.005  # plausibility outliers among valid submissions
PLACED_MAX = 2  # records per kind sent to late-batch.json or single files
DAY = 86_400

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def per_kind(units: int, rate: float = DEFECT_RATE, minimum: int = 1) -> int:
    """How many records of one defect kind to plant for `units` units."""
    return max(minimum, round(rate * units))


def unknown_unit_ids(units: int, count: int) -> list[str]:
    """Well-formed unit ids that are not in the registry ("Z" is never a level code)."""
    width = id_width(units)
    return [f"BT-Z-{i:0{width}d}" for i in range(1, count + 1)]


def cell(frame: pd.DataFrame, row: int, column: str) -> Any:
    """One cell by row position (typed Any, unlike `DataFrame.at`)."""
    return cast(Any, frame[column].iat[row])


def payload_of(clean: pd.DataFrame, row: int) -> dict[str, Any]:
    values = clean.iloc[row]
    payload: dict[str, Any] = {}
    for name in SUBMISSION_FIELDS:
        value = values[name]
        payload[name] = value.item() if isinstance(value, np.generic) else value
    return payload


class Planter:
    """Draws rows from a shuffled pool so every planted record uses a different unit."""

    def __init__(self, clean: pd.DataFrame, registry: Registry, year: int, seed: int) -> None:
        # Plain object columns: writing one cell of an Arrow-backed text column copies it whole.
        self.clean = clean.astype(
            {"submission_id": object, "unit_id": object, "submitted_at": object, "summary": object}
        )
        self.registry = registry
        self.year = year
        self.gen = rng.stream(seed, rng.DEFECTS, year)
        self.units = len(registry.units)
        self.count = per_kind(self.units)
        targets = clean["_target"].to_numpy()
        self.pools = {
            t: list(self.gen.permutation(np.flatnonzero(targets == t)))
            for t in ("portal", "late", "gbk", "xlsx", "single")
        }
        self.drop: list[int] = []
        self.extras: list[ExtraRecord] = []
        self.planted: list[Planted] = []
        self.clean_tags: dict[int, str] = {}
        self.next_number = len(clean) + 1
        self.tags = 0
        self.notes: list[str] = []
        self.width = submission_id_width(self.units)
        self.start = to_epoch(window_start(year))
        self.deadline = to_epoch(deadline(year))

    def take(self, target: str = "portal") -> int | None:
        pool = self.pools[target]
        return int(pool.pop()) if pool else None

    def new_id(self) -> str:
        number = self.next_number
        self.next_number += 1
        return submission_ids(self.year, np.asarray([number]), self.width)[0]

    def tag(self) -> str:
        self.tags += 1
        return f"sub-{self.tags:07d}"

    def tag_clean(self, row: int) -> str:
        tag = self.tag()
        self.clean_tags[row] = tag
        return tag

    def random_time(self, lo: int, hi: int) -> int:
        return int(self.gen.integers(lo, hi))

    def replace(
        self,
        kind: str,
        rules: list[str],
        edit: Callable[[dict[str, Any], int], tuple[str | None, str]],
        target: str = "portal",
        place: str | None = None,
        count: int | None = None,
    ) -> None:
        """Plant `count` records (default: one per kind quota), each replacing one clean row of
        `target` by an edited copy placed in `place` (default: the same target).

        `edit(payload, k)` changes the payload in place and returns (field, detail).
        """
        for k in range(self.count if count is None else count):
            row = self.take(target)
            if row is None:
                return
            payload = payload_of(self.clean, row)
            field, detail = edit(payload, k)
            self.drop.append(row)
            tag = self.tag()
            key = float(cell(self.clean, row, "_t"))
            # Only the first few go to the small files (late-batch.json, single files).
            where = place if place is not None and k < PLACED_MAX else target
            self.extras.append(ExtraRecord(payload, where, key, tag))
            self.planted.append(
                Planted(
                    "submission",
                    kind,
                    rules,
                    payload.get("submission_id"),
                    payload.get("unit_id"),
                    field,
                    detail,
                    tag,
                )
            )


def free_field(k: int) -> str:
    return FREE_COUNT_FIELDS[k % len(FREE_COUNT_FIELDS)]
