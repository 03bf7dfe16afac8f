"""The input hash stored with every score and allocation run: same inputs, same hash."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd


def frames_hash(frames: Mapping[str, pd.DataFrame]) -> str:
    """SHA-256 over named frames' column names and values, independent of row order."""
    digest = hashlib.sha256()
    for name in sorted(frames):
        frame = frames[name]
        ordered = (
            frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)
            if len(frame)
            else frame
        )
        digest.update(name.encode("utf-8"))
        digest.update("\x1f".join(map(str, frame.columns)).encode("utf-8"))
        digest.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return digest.hexdigest()
