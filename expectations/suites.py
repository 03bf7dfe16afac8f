"""The Great Expectations suites of the dataset checks, as committed JSON files.

Each `expectations/<name>.json` is a GX 1.x expectation suite: `name`, `meta` and a list of
`expectations`, each with `type`, `kwargs`, `meta` and `severity`. Every threshold (coverage
minimum, plausibility bounds, year-over-year factor, minimum reviews) lives in the `kwargs` of its
expectation, so a steward changes a bound in exactly one place. Three keys of an expectation's `meta`
are ours:

- `batch`: the derived frame it validates (see `expectations/derived.py`), because GX validates one
  dataframe per validation definition and a suite may look at several frames;
- `check`: a short stable name of the check (used in tests, history and failure lines);
- `notes`: one sentence for stewards, shown in Data Docs and in failure lines.

This module never imports Great Expectations (importing it costs seconds): it reads and writes
the JSON only; `expectations/gx_runner.py` turns specs into GX objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any, Literal

Severity = Literal["critical", "warning"]

#: Suites of the records stage (validated after collection) and of the scores stage (before publishing).
RECORD_SUITES = ("submissions.critical", "submissions.warning", "reviews.critical", "reviews.warning")
SCORE_SUITES = ("scores.critical",)
SUITES = RECORD_SUITES + SCORE_SUITES


class SuiteError(ValueError):
    """A committed suite file is missing or malformed."""


def dump_suite_spec(spec: dict[str, Any]) -> str:
    """The canonical text of a suite file: sorted keys, two-space indent, trailing newline.

    Committed files are exactly this text, so a diff of a suite shows only real changes.
    """
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def suite_text(name: str) -> str:
    """The committed text of `expectations/<name>.json`."""
    if name not in SUITES:
        raise SuiteError(f"unknown suite {name!r}; suites are: {', '.join(SUITES)}")
    return resources.files(__package__ or "expectations").joinpath(f"{name}.json").read_text(encoding="utf-8")


@cache
def _parsed(name: str) -> str:
    # Cached as text: callers get a fresh dict each time and cannot corrupt the cache.
    return suite_text(name)


def load_suite_spec(name: str) -> dict[str, Any]:
    """The suite as a plain dict, checked for the keys the runner relies on."""
    spec: dict[str, Any] = json.loads(_parsed(name))
    if spec.get("name") != name:
        raise SuiteError(f"suite file {name}.json names itself {spec.get('name')!r}")
    for number, expectation in enumerate(spec.get("expectations", []), start=1):
        meta = expectation.get("meta", {})
        for key in ("batch", "check", "notes"):
            if not meta.get(key):
                raise SuiteError(f"{name}.json expectation {number} has no meta.{key}")
        if expectation.get("severity") != suite_severity(name):
            raise SuiteError(f"{name}.json expectation {number} must have severity {suite_severity(name)!r}")
    return spec


def suite_severity(name: str) -> Severity:
    """`critical` suites block publication; `warning` suites are reported."""
    return "warning" if name.endswith(".warning") else "critical"


def batches_of(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The suite's expectations grouped by the derived frame they validate, in file order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for expectation in spec["expectations"]:
        grouped.setdefault(expectation["meta"]["batch"], []).append(expectation)
    return grouped


def iter_checks(names: tuple[str, ...] = SUITES) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (suite name, expectation) of the given suites."""
    for name in names:
        for expectation in load_suite_spec(name)["expectations"]:
            yield name, expectation


def bound(suite: str, check: str, key: str) -> Any:
    """One kwarg of a check, e.g. `bound("reviews.warning", "min_reviews", "min_value")` → 3."""
    for expectation in load_suite_spec(suite)["expectations"]:
        if expectation["meta"]["check"] == check:
            return expectation["kwargs"][key]
    raise SuiteError(f"suite {suite} has no check {check!r}")
