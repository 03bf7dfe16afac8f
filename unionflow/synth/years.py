"""Several consecutive synthetic years with persistent units (`unionflow synth --years 2023-2025`).

The registry and every unit's latent quality depend only on (units, seed), so the same units
keep their quality from year to year; submissions and reviews get each year's own noise. Each
year is a complete source folder of its own, `OUT/<year>/`, with its manifest and ground truth.
"""

from __future__ import annotations

import re
from pathlib import Path

from unionflow.synth.generate import synthesize
from unionflow.synth.manifest import SynthManifest

_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


def parse_years(text: str) -> list[int]:
    """``2023-2025`` → [2023, 2024, 2025]; ``2025`` → [2025]. Raises ValueError otherwise."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"years must look like 2023-2025, not {text!r}")
    first = int(match[1])
    last = int(match[2] or first)
    if last < first or last - first > 20:
        raise ValueError(f"years {text!r}: the range must go forwards and span at most 21 years")
    return list(range(first, last + 1))


def synthesize_years(out: Path, *, units: int, years: list[int], seed: int) -> list[SynthManifest]:
    """Write one source folder per year under ``out`` (``out/2023``, …); returns their manifests."""
    return [synthesize(Path(out) / str(year), units=units, year=year, seed=seed) for year in years]
