"""The ground truth of a synthetic year: what each unit really is and how each reviewer behaves.

Written as ``ground_truth.csv`` beside ``manifest.json`` (never read as records): per registry
unit its latent quality q, its true peer score (the mean an honest reviewer without leniency or
noise would give: 77 + 8 q on every criterion, clipped to 0..100), and as a reviewer its
leniency (points added), its noise sd and its planted behaviour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from unionflow.synth.registry import Registry
from unionflow.synth.reviews import BASE_SCORE, NOISE_SD, QUALITY_SLOPE, ReviewPlan

TRUTH_FILE = "ground_truth.csv"
TRUTH_COLUMNS = ("unit_id", "quality", "true_peer", "leniency", "noise_sd", "behaviour")


def truth_frame(registry: Registry, plan: ReviewPlan) -> pd.DataFrame:
    """One row per registry unit (:data:`TRUTH_COLUMNS`), in registry order."""
    quality = registry.latent["quality"].to_numpy(dtype=np.float64)
    behaviour = np.full(len(quality), "honest", dtype=object)
    for row in plan.colluders:
        if row >= 0:
            behaviour[row] = "colluder"
    if plan.flat_reviewer >= 0:
        behaviour[plan.flat_reviewer] = "flat"
    if plan.contrarian >= 0:
        behaviour[plan.contrarian] = "contrarian"
    return pd.DataFrame(
        {
            "unit_id": registry.units["unit_id"].to_numpy(),
            "quality": quality,
            "true_peer": np.clip(BASE_SCORE + QUALITY_SLOPE * quality, 0, 100),
            "leniency": registry.latent["leniency"].to_numpy(dtype=np.float64),
            "noise_sd": NOISE_SD,
            "behaviour": behaviour,
        }
    )


def write_truth(out: Path, truth: pd.DataFrame) -> None:
    """ground_truth.csv: UTF-8, 6 decimals, so the same seed gives the same bytes."""
    truth.to_csv(out / TRUTH_FILE, index=False, float_format="%.6f", lineterminator="\n")
