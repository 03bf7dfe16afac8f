"""Running the committed suites with Great Expectations 1.x and building the Data Docs site.

Great Expectations is imported inside functions only: the import costs seconds and most commands
never validate. Frames are plain pandas (GX 1.24 returns empty results for a DuckDB table through
SQLAlchemy on this machine, so the warehouse is read to Arrow → pandas first).

One run = one ephemeral GX context; per derived frame (batch) one checkpoint over the validation
definitions of every suite that looks at that frame, all sharing one run id so Data Docs groups
them. With a docs folder, the validation results are also kept in `<docs>/.results/`, so the
site's index lists earlier runs too (records stage and scores stage of a year, re-runs).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.data_docs import RESULTS_FOLDER, asset_name, make_offline, readable_result
from expectations.derived import KEYS
from expectations.suites import Severity, batches_of, load_suite_spec, suite_severity

#: Failing keys named per failure line (the steward's full row lists come from pandera/quarantine).
EXAMPLES = 10

_QUIET_ENV = {"GX_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation on one batch, with a line a steward can read."""

    suite: str
    severity: Severity
    batch: str
    check: str
    expectation: str
    column: str | None
    success: bool
    observed: str
    line: str
    # The same result as data, for readers in other languages (unionflow.reports.findings).
    bounds: dict[str, Any] = field(default_factory=dict)
    count: int | None = None
    total: int | None = None
    examples: tuple[tuple[str, str], ...] = ()
    observed_value: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class SuiteOutcome:
    """The result of one committed suite over all its batches."""

    suite: str
    severity: Severity
    success: bool
    evaluated: int
    failed: int
    rows: dict[str, int]
    expectations: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        """The expectations that failed (or could not be evaluated)."""
        return [e for e in self.expectations if not e.success]


def _quiet_gx() -> None:
    # Before the first GX import: no analytics (this machine has no network either).
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)


def _context(docs: Path | None) -> Any:
    """An ephemeral GX context without progress bars; with a Data Docs site in `docs` if given."""
    # GX's filesystem stores refuse a relative base directory (`--out out/demo` is relative).
    docs = docs.resolve() if docs is not None else None
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites: dict[str, Any] = {}
    if docs is not None:
        sites["validation"] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
            "show_how_to_buttons": False,
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
        data_docs_sites=sites,
    )
    if docs is not None:
        # Results on disk next to the site: the index then shows every run built into this folder.
        config.stores["validation_results_store"] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs / RESULTS_FOLDER),
            },
        }
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suites(
    suites: Sequence[str],
    frames: Mapping[str, pd.DataFrame],
    *,
    docs: Path | None = None,
    run_name: str = "unionflow",
) -> list[SuiteOutcome]:
    """Validate `frames` (batch name → dataframe) against the named committed suites.

    Returns one outcome per suite, in the order given. With `docs`, the Data Docs site is
    (re)built there and made to work offline (see `make_offline`).
    """
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    if docs is not None:
        docs.mkdir(parents=True, exist_ok=True)
    context = _context(docs)
    datasource = context.data_sources.add_pandas("unionflow")
    specs = {name: load_suite_spec(name) for name in suites}
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))

    by_batch: dict[str, list[tuple[str, Any]]] = {}
    for name, spec in specs.items():
        for batch, expectations in batches_of(spec).items():
            if batch not in frames:
                raise KeyError(f"suite {name} needs the derived frame {batch!r}")
            suite = context.suites.add(
                gx.ExpectationSuite(name=f"{name}.{batch}", expectations=expectations, meta=spec.get("meta"))
            )
            by_batch.setdefault(batch, []).append((name, suite))

    raw: dict[tuple[str, str], list[Any]] = {}
    pages: list[Any] = []  # what the Data Docs site gets built for: each result and its suite
    for batch, entries in by_batch.items():
        definition = datasource.add_dataframe_asset(asset_name(batch)).add_batch_definition_whole_dataframe(
            "whole"
        )
        validations = [
            context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{name}.{batch}", data=definition, suite=suite)
            )
            for name, suite in entries
        ]
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"unionflow.{batch}",
                validation_definitions=validations,
                # No UpdateDataDocsAction: it rebuilds the site's index once per validation
                # result; the site is built once for all of them below.
                actions=[],
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": EXAMPLES,
                    "unexpected_index_column_names": [KEYS[batch]],
                },
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frames[batch]}, run_id=run_id)
        for identifier, validation in result.run_results.items():
            suite_name = validation.suite_name.rsplit(".", 1)[0]
            raw.setdefault((suite_name, batch), []).extend(validation.results)
            if docs is not None:
                # Stored again, readable: asset named, frame described, failing keys listed.
                readable = readable_result(validation, batch, len(frames[batch]))
                context.validation_results_store.set(identifier, readable)
            pages += [identifier, ExpectationSuiteIdentifier(name=validation.suite_name)]

    if docs is not None:
        context.build_data_docs(resource_identifiers=pages)
        make_offline(docs)
    return [_suite_outcome(name, specs[name], raw, frames) for name in suites]


def _suite_outcome(
    name: str,
    spec: dict[str, Any],
    raw: Mapping[tuple[str, str], list[Any]],
    frames: Mapping[str, pd.DataFrame],
) -> SuiteOutcome:
    severity = suite_severity(name)
    outcomes: list[ExpectationOutcome] = []
    batches = batches_of(spec)
    for batch, expectations in batches.items():
        results = raw.get((name, batch), [])
        # GX keeps the suite's order; match by position and check the type to be sure.
        for expectation, result in zip(expectations, results, strict=True):
            if result.expectation_config.type != expectation["type"]:
                raise RuntimeError(f"GX returned results of {name}.{batch} out of order")
            outcomes.append(_expectation_outcome(name, severity, batch, expectation, result))
    failed = sum(not o.success for o in outcomes)
    return SuiteOutcome(
        suite=name,
        severity=severity,
        success=failed == 0,
        evaluated=len(outcomes),
        failed=failed,
        rows={batch: len(frames[batch]) for batch in batches},
        expectations=outcomes,
    )


def _number(value: Any) -> str:
    """A value as a short human string (4 significant digits for floats)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            return "empty"
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.4g}" if abs(number) >= 1e-3 else f"{number:.4g}"
    try:
        return _number(value.item())  # numpy scalars
    except AttributeError:
        return str(value)


def _bounds(kwargs: Mapping[str, Any]) -> str:
    parts = []
    if kwargs.get("min_value") is not None:
        parts.append(f"≥ {_number(kwargs['min_value'])}")
    if kwargs.get("max_value") is not None:
        parts.append(f"≤ {_number(kwargs['max_value'])}")
    if "value_set" in kwargs:
        parts.append("in {" + ", ".join(str(v) for v in kwargs["value_set"]) + "}")
    if "value" in kwargs:
        parts.append(f"= {_number(kwargs['value'])}")
    return " ".join(parts)


def _expectation_outcome(
    suite: str, severity: Severity, batch: str, expectation: dict[str, Any], result: Any
) -> ExpectationOutcome:
    kwargs = expectation["kwargs"]
    column = kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or None
    details: dict[str, Any] = dict(result.result or {})
    exception = result.exception_info or {}
    raised = bool(exception.get("raised_exception")) if isinstance(exception, dict) else False
    key = KEYS[batch]
    count: int | None = None
    total: int | None = None
    pairs: list[tuple[str, str]] = []
    observed_value: str | None = None
    error: str | None = None
    if raised:
        error = str(exception.get("exception_message"))
        observed = f"error: {error}"
    elif "unexpected_count" in details:
        examples = []
        for item in details.get("partial_unexpected_index_list") or []:
            value = item.get(column) if isinstance(item, dict) and column in item else None
            name = item.get(key) if isinstance(item, dict) else item
            examples.append(f"{name}" + (f" ({column} {_number(value)})" if value is not None else ""))
            pairs.append((str(name), "" if value is None else _number(value)))
        count = int(details.get("unexpected_count") or 0)
        total = int(details.get("element_count") or 0)
        observed = f"{count:,} of {total:,} {batch} rows"
        if examples:
            more = ", …" if count > len(examples) else ""
            observed += ": " + ", ".join(examples) + more
    else:
        observed_value = _number(details.get("observed_value"))
        observed = f"observed {observed_value}"
    success = bool(result.success) and not raised
    target = f"{column} {_bounds(kwargs)}".strip() if column else _bounds(kwargs)
    line = (
        f"{suite} · {expectation['type']}({target}) on {batch}: {expectation['meta']['notes']} "
        f"— {'passed' if success else 'failed'}, {observed}"
    )
    return ExpectationOutcome(
        suite=suite,
        severity=severity,
        batch=batch,
        check=expectation["meta"]["check"],
        expectation=expectation["type"],
        column=column,
        success=success,
        observed=observed,
        line=line,
        bounds={k: kwargs[k] for k in ("min_value", "max_value", "value") if kwargs.get(k) is not None},
        count=count,
        total=total,
        examples=tuple(pairs),
        observed_value=observed_value,
        error=error,
    )
