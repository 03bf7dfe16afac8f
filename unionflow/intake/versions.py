"""Which received version of a record counts: replays, conflicting duplicates, superseded ones.

SPEC section 4: the same id received again with the same content is a replay; with different
content it is quarantined `conflicting_duplicate`. Among valid records, the latest `submitted_at`
counts (ties: greatest id), the others are `superseded`.
"""

from __future__ import annotations

import pandas as pd


def replays_and_conflicts(
    key: pd.Series, content: pd.Series, order: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Mark later payloads of an id as replays (same content as the first) or conflicts.

    `order` is the receipt order (payload id); rows without a key are neither.
    """
    frame = pd.DataFrame({"key": key, "content": content, "order": order}).sort_values(["key", "order"])
    has_key = frame["key"].notna()
    first_content = frame.groupby("key", sort=False)["content"].transform("first")
    later = frame.duplicated("key", keep="first") & has_key
    replay = later & (frame["content"] == first_content)
    conflict = later & ~replay
    return replay.reindex(key.index).astype(bool), conflict.reindex(key.index).astype(bool)


def unit_replays_and_conflicts(
    key: pd.Series, content: pd.Series, order: pd.Series, collection: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Units are a registry that changes over the years: a different version of a unit from a
    later collection is an update (the older one is superseded later on), not a conflict; two
    different versions in one collection are. Same content as any earlier version: a replay."""
    frame = pd.DataFrame({"key": key, "content": content, "order": order, "collection": collection})
    frame = frame.sort_values(["key", "order"])
    has_key = frame["key"].notna()
    replay = frame.duplicated(["key", "content"], keep="first") & has_key
    candidates = frame[~replay & has_key]
    conflict = candidates.duplicated(["key", "collection"], keep="first")
    conflict = conflict.reindex(frame.index, fill_value=False)
    return replay.reindex(key.index).astype(bool), conflict.reindex(key.index).astype(bool)


def latest_per_group(group_keys: list[pd.Series], newest_first: list[pd.Series]) -> pd.Series:
    """True for the one version per group that counts: first when sorted by `newest_first`
    (each descending). The index of the inputs is kept."""
    frame = pd.DataFrame({f"g{i}": key for i, key in enumerate(group_keys)})
    sort_columns = []
    for i, column in enumerate(newest_first):
        frame[f"s{i}"] = column
        sort_columns.append(f"s{i}")
    ordered = frame.sort_values(sort_columns, ascending=False, kind="stable")
    current = ~ordered.duplicated([f"g{i}" for i in range(len(group_keys))], keep="first")
    return current.reindex(frame.index).astype(bool)
