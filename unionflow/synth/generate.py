"""`synthesize`: generate a whole synthetic source folder (SPEC §4) and its manifest."""

from __future__ import annotations

from pathlib import Path

from unionflow.synth.defects import per_kind, plant_submission_defects
from unionflow.synth.layout import assign_targets, plan_files
from unionflow.synth.manifest import SynthManifest, build_manifest
from unionflow.synth.registry import build_registry
from unionflow.synth.review_defects import plant_review_defects
from unionflow.synth.reviews import build_reviews
from unionflow.synth.submissions import build_submissions
from unionflow.synth.truth import truth_frame, write_truth
from unionflow.synth.unit_defects import plant_unit_defects
from unionflow.synth.writer import write_manifest, write_reviews, write_submissions, write_units

MIN_UNITS = 30  # below this the planted defects and the review design do not fit
INSUFFICIENT_RATE = 0.001


def synthesize(out: Path, *, units: int = 225, year: int = 2025, seed: int = 20231) -> SynthManifest:
    """Write a synthetic source folder for `year` to `out` and return its manifest.

    Same (units, year, seed) gives a byte-identical folder; the registry depends only on
    (units, seed). Files: units.csv, submissions/…, reviews.csv, manifest.json and
    ground_truth.csv (unionflow.synth.truth: never read as records).
    """
    if units < MIN_UNITS:
        raise ValueError(f"units must be at least {MIN_UNITS} (got {units})")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    registry = build_registry(units, seed)
    unit_set = plant_unit_defects(registry, seed)

    clean = assign_targets(build_submissions(registry, year, seed), registry, year, seed)
    subs = plant_submission_defects(clean, registry, year, seed)
    layout = plan_files(subs)

    frame, plan = build_reviews(registry, year, seed, per_kind(units, INSUFFICIENT_RATE, 2))
    reviews = plant_review_defects(frame, plan, registry, year, seed)

    manifest = build_manifest(
        units=units,
        year=year,
        seed=seed,
        unit_set=unit_set,
        active_units=int(registry.active_mask(year).sum()),
        subs=subs,
        layout=layout,
        reviews=reviews,
    )
    write_units(out, unit_set.frame)
    write_submissions(out, subs, layout, year)
    write_reviews(out, reviews, year)
    write_manifest(out, manifest)
    write_truth(out, truth_frame(registry, plan))
    return SynthManifest(path=out / "manifest.json", data=manifest)
