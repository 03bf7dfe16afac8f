"""Stable reviewer pseudonyms for files meant for the units themselves."""

from __future__ import annotations

import hashlib

import pandas as pd


def pseudonyms(reviews: pd.DataFrame, year: int) -> pd.Series:
    """R01, R02, … per reviewee and year, aligned with `reviews`' rows.

    The order comes from a hash of (year, reviewee, reviewer), so it is the same on every run but
    reveals nothing (not the reviewer's id order, not the order reviews arrived in).
    """
    digest = [
        hashlib.sha256(f"{year}|{reviewee}|{reviewer}".encode()).hexdigest()
        for reviewee, reviewer in zip(reviews["reviewee_unit_id"], reviews["reviewer_unit_id"], strict=True)
    ]
    order = pd.Series(digest, index=reviews.index)
    rank = order.groupby(reviews["reviewee_unit_id"]).rank(method="first").astype(int)
    return "R" + rank.map(lambda r: f"{r:02d}")
