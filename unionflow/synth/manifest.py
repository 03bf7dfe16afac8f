"""The manifest: what was generated and, for every planted record, what a validator must say.

Structure (all keys sorted when written):

- `parameters`: units, year, seed, deadline
- `counts`: per record kind, `received` = `accepted` + `quarantined` + `superseded` + `replayed`
  (the collection identity of SPEC §5) and `by_file`
- `planted`: bad records, each with `record_kind`, `kind`, `id`, `unit_id`, `rules` (sorted
  list), `rule` (joined with ";"), `detail`, optional `field`, and `file`, `source_ref` and
  `line`/`item`/`row` where it sits
- `replays`, `superseded`, `formatted_numbers`, `plausibility_outliers`,
  `reviewer_behaviours`, `insufficient_reviews`, `notes`
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unionflow.synth.layout import SubmissionLayout
from unionflow.synth.records import ReviewSet, SubmissionSet, UnitSet
from unionflow.synth.schema import deadline

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class SynthManifest:
    """The manifest of one synthetic source folder (`data` is exactly manifest.json)."""

    path: Path
    data: dict[str, Any]

    @property
    def parameters(self) -> dict[str, Any]:
        """units, year, seed and deadline used to generate the folder."""
        return dict(self.data["parameters"])

    def planted(self, record_kind: str | None = None) -> list[dict[str, Any]]:
        """Planted bad records, optionally only of one record kind (unit/submission/review)."""
        return [p for p in self.data["planted"] if record_kind is None or p["record_kind"] == record_kind]

    def expected_rules(self) -> dict[str, str]:
        """source_ref -> expected joined rule string, for every planted bad record."""
        return {p["source_ref"]: p["rule"] for p in self.data["planted"]}

    @classmethod
    def load(cls, path: Path) -> SynthManifest:
        """Read a manifest.json written by `synthesize`."""
        return cls(path=path, data=json.loads(path.read_text(encoding="utf-8")))


def _resolve(
    entries: list[dict[str, Any]], locations: dict[str, dict[str, Any]], names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Replace internal `_tags` by the named locations."""
    resolved = []
    for entry in entries:
        item = {k: v for k, v in entry.items() if k != "_tags"}
        tags = entry.get("_tags", ())
        if len(names) == 1 and tags:
            item.update(locations[tags[0]])
        else:
            for name, tag in zip(names, tags, strict=False):
                item[name] = locations[tag]
        resolved.append(item)
    return resolved


def _ordered_replays(replays: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Name the copy that is received second (files sorted by path, then position) the replay."""
    result = []
    for item in replays:
        a, b = item["first"], item["replay"]
        key_a = (a["file"], a.get("line", a.get("item", a.get("row", 0))))
        key_b = (b["file"], b.get("line", b.get("item", b.get("row", 0))))
        if key_b < key_a:
            item = dict(item, first=b, replay=a)
        result.append(item)
    return result


def build_manifest(
    *,
    units: int,
    year: int,
    seed: int,
    unit_set: UnitSet,
    active_units: int,
    subs: SubmissionSet,
    layout: SubmissionLayout,
    reviews: ReviewSet,
) -> dict[str, Any]:
    """Assemble the manifest dictionary from the planted records and the file layout."""
    for entry in subs.planted:
        entry.location = layout.locations[entry.tag]
    planted = [p.as_dict() for p in (*unit_set.planted, *subs.planted, *reviews.planted)]

    replays = _ordered_replays(_resolve(subs.replays, layout.locations, ("first", "replay")))
    replays.sort(key=lambda r: str(r["id"]))
    superseded_subs = _resolve(subs.superseded, layout.locations, ("location", "superseded_by_location"))
    by_file = {plan.path: len(plan) for plan in layout.files}
    n_subs = sum(by_file.values())
    n_sub_bad = len(subs.planted)
    n_reviews = len(reviews.frame)

    counts = {
        "units": {
            "by_file": {"units.csv": len(unit_set.frame)},
            "received": len(unit_set.frame),
            "accepted": units,
            "quarantined": len(unit_set.planted),
            "superseded": 0,
            "replayed": 0,
            "active_in_year": active_units,
            "inactive_in_year": units - active_units,
        },
        "submissions": {
            "by_file": by_file,
            "received": n_subs,
            "accepted": n_subs - n_sub_bad - len(subs.superseded) - len(replays),
            "quarantined": n_sub_bad,
            "superseded": len(subs.superseded),
            "replayed": len(replays),
        },
        "reviews": {
            "by_file": {"reviews.csv": n_reviews},
            "received": n_reviews,
            "accepted": n_reviews - len(reviews.planted) - len(reviews.superseded),
            "quarantined": len(reviews.planted),
            "superseded": len(reviews.superseded),
            "replayed": 0,
        },
    }
    kinds: dict[str, int] = {}
    for p in planted:
        key = f"{p['record_kind']}.{p['kind']}"
        kinds[key] = kinds.get(key, 0) + 1
    return {
        "generator": "unionflow synth",
        "manifest_version": MANIFEST_VERSION,
        "parameters": {
            "units": units,
            "year": year,
            "seed": seed,
            "deadline": deadline(year).isoformat(),
        },
        "counts": counts,
        "planted_counts": kinds,
        "planted": planted,
        "replays": replays,
        "superseded": [*superseded_subs, *reviews.superseded],
        "formatted_numbers": _resolve(subs.formatted_numbers, layout.locations, ("location",)),
        "plausibility_outliers": _resolve(subs.outliers, layout.locations, ("location",)),
        "reviewer_behaviours": reviews.behaviours,
        "insufficient_reviews": reviews.insufficient_reviews,
        "notes": [
            *subs.notes,
            *reviews.notes,
            "Self-reviews are listed with self_review only (not also conflict_of_interest).",
            "No reviewer assignments are generated, so no review is expected to be unassigned.",
            "Submissions replaced by a planted bad record leave their unit without an accepted "
            "submission for the year (grade missing).",
        ],
    }
