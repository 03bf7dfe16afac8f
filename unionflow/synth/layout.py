"""Which submission goes into which file, and where: pure bookkeeping before any I/O.

Files are received sorted by path (SPEC §4, `sources.folder`), so the layout decides what comes
"first" for duplicates: `county-gbk.csv` < `district-upload.xlsx` < `late-batch.json` <
`portal-export-NNN.jsonl` < `single-<id>.json`. Locations use the same `source_ref` syntax the
folder source records: `path#line=N` (JSON Lines, 1-based), `path#item=N` (JSON list, 1-based),
`path#row=N` (CSV/XLSX spreadsheet row, header = row 1) and the bare path for one-object files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from unionflow.synth import rng
from unionflow.synth.records import SubmissionSet
from unionflow.synth.registry import Registry

CHUNK_LINES = 250_000
GBK_MAX, XLSX_MAX, LATE_MAX, SINGLE_CLEAN = 300, 200, 30, 3

FILE_FORMATS = {
    "portal": "jsonl",
    "late": "json_list",
    "single": "json_single",
    "gbk": "csv_gbk",
    "xlsx": "xlsx",
}


@dataclass
class FilePlan:
    """One submissions file: its path (relative to the output folder), format and records.

    Record k of the file is clean row `idx[k]` when `src[k] == 0`, else extra record `idx[k]`.
    """

    path: str
    fmt: str
    src: np.ndarray
    idx: np.ndarray

    def __len__(self) -> int:
        return len(self.src)


@dataclass
class SubmissionLayout:
    """All submissions files sorted by path, and the location of every tagged record."""

    files: list[FilePlan]
    locations: dict[str, dict[str, Any]]


def assign_targets(clean: pd.DataFrame, registry: Registry, year: int, seed: int) -> pd.DataFrame:
    """Copy of `clean` with `_target` (which file family) and `_key` (order in it) columns.

    County-level units upload the GBK CSV; a few units the XLSX, the late batch or single files;
    everyone else comes through the portal export.
    """
    gen = rng.stream(seed, rng.LAYOUT, year)
    size = len(clean)
    targets = np.full(size, "portal", dtype=object)
    perm = gen.permutation(size)
    county = registry.units["level"].to_numpy()[clean["_unit"].to_numpy()] == "county"
    county_rows = perm[county[perm]]
    n_gbk = min(len(county_rows), GBK_MAX, max(3, round(0.25 * len(county_rows))))
    targets[county_rows[:n_gbk]] = "gbk"
    for target, wanted in (
        ("xlsx", min(XLSX_MAX, max(3, round(0.08 * size)))),
        ("late", min(LATE_MAX, max(3, round(0.04 * size)))),
        ("single", SINGLE_CLEAN),
    ):
        free = perm[targets[perm] == "portal"]
        targets[free[: min(wanted, len(free) // 4)]] = target
    result = clean.copy()
    result["_target"] = targets
    result["_key"] = clean["_t"].to_numpy(dtype=float)
    return result


def _ordered(subs: SubmissionSet, target: str) -> tuple[np.ndarray, np.ndarray]:
    clean_rows = np.flatnonzero(subs.clean["_target"].to_numpy() == target)
    extra_rows = np.asarray([i for i, e in enumerate(subs.extras) if e.target == target], dtype=np.int64)
    src = np.concatenate([np.zeros(len(clean_rows), np.int64), np.ones(len(extra_rows), np.int64)])
    idx = np.concatenate([clean_rows, extra_rows]).astype(np.int64)
    keys = np.concatenate(
        [
            subs.clean["_key"].to_numpy(dtype=float)[clean_rows],
            np.asarray([subs.extras[i].key for i in extra_rows], dtype=float),
        ]
    )
    order = np.lexsort((idx, src, keys))
    return src[order], idx[order]


def _submission_id(subs: SubmissionSet, src: int, idx: int) -> str:
    if src == 0:
        return str(subs.clean.at[idx, "submission_id"])
    payload = subs.extras[idx].payload
    assert isinstance(payload, dict)
    return str(payload["submission_id"])


def plan_files(subs: SubmissionSet, chunk_lines: int = CHUNK_LINES) -> SubmissionLayout:
    """Lay every submission record out in files and compute the tagged records' locations."""
    files: list[FilePlan] = []
    for target, fmt in FILE_FORMATS.items():
        src, idx = _ordered(subs, target)
        if len(src) == 0:
            continue
        if target == "portal":
            for k, start in enumerate(range(0, len(src), chunk_lines), start=1):
                stop = start + chunk_lines
                files.append(
                    FilePlan(
                        f"submissions/portal-export-{k:03d}.jsonl", fmt, src[start:stop], idx[start:stop]
                    )
                )
        elif target == "single":
            for s, i in zip(src, idx, strict=True):
                path = f"submissions/single-{_submission_id(subs, int(s), int(i))}.json"
                files.append(FilePlan(path, fmt, np.asarray([s]), np.asarray([i])))
        else:
            name = {"late": "late-batch.json", "gbk": "county-gbk.csv", "xlsx": "district-upload.xlsx"}[
                target
            ]
            files.append(FilePlan(f"submissions/{name}", fmt, src, idx))
    files.sort(key=lambda f: f.path)
    return SubmissionLayout(files=files, locations=_locations(subs, files))


def location(path: str, fmt: str, position: int) -> dict[str, Any]:
    """Manifest location of the record at 0-based `position` of a file."""
    if fmt == "jsonl":
        return {"file": path, "line": position + 1, "source_ref": f"{path}#line={position + 1}"}
    if fmt == "json_list":
        return {"file": path, "item": position + 1, "source_ref": f"{path}#item={position + 1}"}
    if fmt in ("csv_gbk", "xlsx"):
        return {"file": path, "row": position + 2, "source_ref": f"{path}#row={position + 2}"}
    return {"file": path, "source_ref": path}


def _locations(subs: SubmissionSet, files: list[FilePlan]) -> dict[str, dict[str, Any]]:
    tagged_clean = np.zeros(len(subs.clean), dtype=bool)
    tagged_clean[list(subs.clean_tags)] = True
    found: dict[str, dict[str, Any]] = {}
    for plan in files:
        interesting = (plan.src == 1) | tagged_clean[np.where(plan.src == 0, plan.idx, 0)] & (plan.src == 0)
        for pos in np.flatnonzero(interesting):
            i = int(plan.idx[pos])
            tag = subs.extras[i].tag if plan.src[pos] == 1 else subs.clean_tags[i]
            found[tag] = location(plan.path, plan.fmt, int(pos))
    return found
