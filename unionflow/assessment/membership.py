"""Id columns handled by Arrow's kernels: set membership, lookups and grouping codes.

pandas' `isin`, `map` and `groupby` on Arrow-backed strings (the default string type of pandas 3)
convert every value to a Python object first, then hash and sort those objects: 4 s for a
1,000,000-unit registry's `isin` and most of the scoring stage's 40 s in its profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _strings(values: pd.Series) -> pa.Array:
    strings = pa.array(values.astype("string"), pa.string(), from_pandas=True)
    # Arrow-backed pandas columns come back as a chunked array; one contiguous array is simpler.
    return strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings


def is_member(values: pd.Series, candidates: pd.Series) -> np.ndarray:
    """Whether each of `values` is among `candidates` (missing values are not members)."""
    found = pc.is_in(_strings(values), value_set=pc.unique(_strings(candidates)))
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def positions(values: pd.Series, candidates: pd.Series) -> np.ndarray:
    """For each of `values`, the position of its first occurrence in `candidates`, or -1."""
    found = pc.index_in(_strings(values), value_set=_strings(candidates))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def looked_up(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """`values[at]` as floats, NaN where `at` is -1 (not found): pandas' `map` for numbers."""
    out = np.full(len(at), np.nan)
    found = at >= 0
    out[found] = np.asarray(values, dtype=np.float64)[at[found]]
    return out


def id_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each id's position among the sorted distinct ids, and those ids.

    Grouping by the codes (`groupby(codes, sort=True)`) gives the groups, in the order, of
    pandas' sorted groupby on the ids themselves; `ids[group]` names a group. Arrow sorts UTF-8
    by code point, as Python compares strings. Missing ids are refused (a review always has both).
    """
    encoded = pc.dictionary_encode(_strings(values))
    if encoded.null_count:
        raise ValueError("an id column has missing values")
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    ids = encoded.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
    return codes, ids
