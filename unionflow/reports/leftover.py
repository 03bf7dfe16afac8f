"""Why money stays in the fund, in the reader's language.

`unionflow.assessment.allocation.leftover_reason` gives a code and the figures it names; the
allocation run stores both, and every output (the allocation summary on the console, the report's
unallocated tile, the workbook's Summary sheet) renders them here from the catalogue's `[leftover]`
section, so the explanation reads the same everywhere and in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from unionflow.reports.catalogue import Catalogue


def leftover_reason_text(code: str, params: Mapping[str, object], cat: Catalogue) -> str:
    """The sentence of a leftover reason (without the amount)."""
    fields = dict(params)
    grades = fields.get("grades")
    if isinstance(grades, str) and cat.lang != "en":
        # English shows the config's own values (a steward edits them); other languages the
        # grades' names, so a Chinese reader sees no code.
        fields["grades"] = "、".join(cat.code("grade", g.strip()) for g in grades.split(","))
    return cat.sections["leftover"][code].format(**fields)


def leftover_sentence(amount: int, code: str, params: Mapping[str, object], cat: Catalogue) -> str:
    """`<amount> CNY stay unallocated: <reason>` (the allocation summary's line)."""
    return cat.text("leftover", amount=amount, reason=leftover_reason_text(code, params, cat))
