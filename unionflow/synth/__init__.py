"""Synthetic source folders for unionflow (SPEC §4): realistic data with planted defects.

`synthesize(out, units=225, year=2025, seed=20231)` writes units.csv, submissions/, reviews.csv and
manifest.json; the manifest lists every planted record and the rule codes it must receive.
"""

from unionflow.synth.generate import synthesize
from unionflow.synth.manifest import SynthManifest

__all__ = ["SynthManifest", "synthesize"]
