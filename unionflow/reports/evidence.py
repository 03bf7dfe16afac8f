"""Review-flag evidence (JSON in the warehouse) as one sentence in the reader's language.

Known flags have a sentence each in the catalogue's `[evidence]` section; any other shape is read
out as "name value, name value" with nested values flattened the same way, so a reader never sees a
Python or JSON repr.
"""

from __future__ import annotations

import json
import math
from typing import Any

from unionflow.reports.catalogue import Catalogue


def _num(value: Any, digits: int = 1) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return "–"
        if number.is_integer():
            return f"{int(number):,}"
        return f"{number:,.{digits}f}"
    return str(value)


def _name(key: str, cat: Catalogue) -> str:
    for section in ("criterion", "rate", "header"):
        if key in cat.sections[section]:
            return cat.sections[section][key]
    return key.replace("_", " ")


def _flatten(value: Any, cat: Catalogue) -> str:
    """Any JSON value as plain words: mappings as "name value, …", lists joined, numbers formatted."""
    words = cat.sections["evidence"]
    if isinstance(value, dict):
        return words["join"].join(
            words["part"].format(name=_name(str(k), cat), value=_flatten(v, cat))
            for k, v in sorted(value.items())
        )
    if isinstance(value, list):
        return words["join"].join(_flatten(v, cat) for v in value)
    return _num(value, 2)


def evidence_sentence(flag: str, evidence: str, cat: Catalogue) -> str:
    """A one-sentence reading of a review flag's JSON evidence."""
    try:
        data = json.loads(evidence)
    except (TypeError, ValueError):
        return str(evidence)
    words = cat.sections["evidence"]
    if not isinstance(data, dict):
        return words["unknown"].format(details=_flatten(data, cat))
    try:
        if flag == "mutual_inflation":
            return words[flag].format(
                ab=_num(data["a_to_b_mean"]),
                ba=_num(data["b_to_a_mean"]),
                # a scored b, b scored a: each set against the others' mean for the same reviewee
                others_b=_num(data["others_mean_for_b"]),
                others_a=_num(data["others_mean_for_a"]),
                margin=_num(data["margin"], 0),
            )
        if flag == "flat_reviewer":
            values = set((data.get("scores") or {}).values())
            if len(values) == 1:
                return words[flag].format(n=data["n_reviews"], value=_num(values.pop(), 0))
            return words["flat_reviewer_mixed"].format(n=data["n_reviews"])
        if flag == "contrarian":
            return words[flag].format(corr=_num(data["correlation"], 2), n=data["n_reviews"])
        if flag == "wide_disagreement":
            spread = data["spread"]
            widest = str(data["widest"])
            return words[flag].format(
                widest=_name(widest, cat),
                widest_spread=_num(spread[widest], 0),
                range=_num(data["range"], 0),
                spread=_flatten(spread, cat),
            )
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    return words["unknown"].format(details=_flatten(data, cat))
