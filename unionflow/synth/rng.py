"""Seeded random streams: every random draw in `synth` comes from one of these.

Each stream is a child of `SeedSequence(seed)` with a fixed spawn key, so streams are independent of
each other and of the order in which they are used. The registry stream's key holds no year, which
is what makes the registry identical for every assessment year with the same seed.
"""

from __future__ import annotations

import numpy as np

# Spawn keys of the independent streams. Never renumber them: that would change every dataset.
REGISTRY = 0
SUBMISSIONS = 1
REVIEWS = 2
DEFECTS = 3
REVIEW_DEFECTS = 4
LAYOUT = 5


def stream(seed: int, key: int, year: int | None = None) -> np.random.Generator:
    """A PCG64 generator for stream `key` (and `year`, for the year-specific streams)."""
    spawn_key = (key,) if year is None else (key, year)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn_key)))
