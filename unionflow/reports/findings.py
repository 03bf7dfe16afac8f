"""The dataset-validation outcome as leadership and stewards read it: what passed, what warned and
what blocked, each finding a sentence in the reader's language (never Great Expectations' jargon).

`Finding` is plain data (the GX runner's structured result, converted in `tasks/`); the sentence is
made here from the catalogue's `[check]` and `[finding]` sections, so the report, the workbook and
the console say the same thing in both languages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from unionflow.reports.catalogue import Catalogue

#: Checks whose bounds are shares (0.25 is shown as 25 %).
_SHARE_CHECKS = frozenset({"coverage_min", "coverage_target"})


@dataclass(frozen=True)
class Finding:
    """One failed check: which, on what, how many rows, and a few failing keys with their values."""

    suite: str
    severity: str  # critical | warning
    check: str  # the expectation's meta.check, a key of the catalogue's [check] section
    batch: str
    bounds: Mapping[str, Any] = field(default_factory=dict)  # min / max / value of the check
    count: int | None = None  # failing rows (None: a table-level check)
    total: int | None = None
    examples: Sequence[tuple[str, str]] = ()  # (key, value) of failing rows, at most 10
    observed: str | None = None  # a table-level check's observed value
    error: str | None = None  # the check could not be evaluated


@dataclass(frozen=True)
class ValidationSummary:
    """What the report's validation box shows: checks run, warnings, blocking failures, Data Docs.

    `checks` is the number of expectations evaluated across the suites; `docs_link` is the Data
    Docs page relative to the report (None: no link).
    """

    checks: int
    warnings: Sequence[Finding] = ()
    blocking: Sequence[Finding] = ()
    docs_link: str | None = "validation/index.html"

    @property
    def success(self) -> bool:
        """No blocking failure (warnings do not block)."""
        return not self.blocking

    @property
    def passed(self) -> int:
        """Checks that passed."""
        return max(self.checks - len(self.warnings) - len(self.blocking), 0)


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return "–"
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.4g}"
    return str(value)


def _bounds(check: str, bounds: Mapping[str, Any]) -> dict[str, str]:
    if check in _SHARE_CHECKS:
        return {k: f"{float(v):.0%}" for k, v in bounds.items() if v is not None}
    return {k: _number(v) for k, v in bounds.items() if v is not None}


def check_sentence(finding: Finding, cat: Catalogue) -> str:
    """What the check expects, in words (`Trainees per employee at most 20`)."""
    template = cat.sections["check"].get(finding.check, finding.check)
    try:
        return template.format(**_bounds(finding.check, finding.bounds))
    except (KeyError, IndexError, ValueError):
        return template


def outcome_sentence(finding: Finding, cat: Catalogue) -> str:
    """What was found (`1 of 200 rows: BT-X-0047 (50)`)."""
    words = cat.sections["finding"]
    if finding.error:
        return words["error"].format(message=finding.error)
    if finding.count is not None:
        rows = words["rows"].format(count=finding.count, total=finding.total or 0)
        if not finding.examples:
            return rows
        shown = [words["example"].format(key=k, value=v) if v else k for k, v in finding.examples]
        listed = cat.sections["evidence"]["join"].join(shown)
        if finding.count > len(finding.examples):
            listed += words["more"]
        return words["examples"].format(rows=rows, examples=listed)
    return words["observed"].format(value=finding.observed or "–")


def finding_line(finding: Finding, cat: Catalogue) -> str:
    """One line: the check and what was found."""
    return cat.sections["finding"]["line"].format(
        check=check_sentence(finding, cat), outcome=outcome_sentence(finding, cat)
    )


def verdict(summary: ValidationSummary | None, cat: Catalogue) -> str:
    """The validation box's headline: passed, passed with warnings, or blocked, with counts."""
    if summary is None:
        return cat.text("validation_not_run")
    counts = {
        "checks": summary.checks,
        "passed": summary.passed,
        "warned": len(summary.warnings),
        "blocked": len(summary.blocking),
    }
    if summary.blocking:
        return cat.text("validation_blocked", **counts)
    if summary.warnings:
        return cat.text("validation_warned", **counts)
    return cat.text("validation_passed", **counts)


def state(summary: ValidationSummary | None) -> str:
    """`passed`, `warned`, `failed` or `not_run` (a CSS class and a catalogue key)."""
    if summary is None:
        return "not_run"
    if summary.blocking:
        return "failed"
    return "warned" if summary.warnings else "passed"
