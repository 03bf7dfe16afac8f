"""Budget scenarios: the SPEC §8 allocation run under several fund sizes and rules (a draft).

Each scenario changes budget, floor, cap, step and/or the allocation method of the resolved
config and is allocated with :func:`unionflow.assessment.allocation.allocate` itself (the same
function ``unionflow allocate`` uses, never a copy), so a scenario's amounts are exactly what
``allocate`` would give for the same parameters. Nothing here is stored or published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from unionflow.assessment.allocation import FUNDED, AllocationInfeasible, AllocationResult, allocate
from unionflow.assessment.config import (
    AssessmentConfig,
    ConfigError,
    read_toml,
    validate_config,
    with_overrides,
)

#: The scenario parameters, in the order they are shown.
PARAMETERS: tuple[str, ...] = ("budget", "floor", "cap", "step", "method")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario",
    "method",
    "budget",
    "floor",
    "cap",
    "step",
    "funded",
    "min_amount",
    "median_amount",
    "max_amount",
    "at_floor",
    "at_cap",
    "allocated",
    "unallocated",
)


@dataclass(frozen=True)
class Scenario:
    """One named what-if: ``None`` keeps the config's value."""

    name: str
    budget: int | None = None
    floor: int | None = None
    cap: int | None = None
    step: int | None = None
    method: str | None = None


@dataclass(frozen=True)
class ScenarioResults:
    """Amounts per unit (one column per scenario) and one summary row per scenario."""

    amounts: pd.DataFrame
    summary: pd.DataFrame
    results: Mapping[str, AllocationResult]


def _problem(name: str, key: str, message: str) -> ConfigError:
    # A ConfigError, so the CLI reports it like any bad config: one line, exit 2.
    return ConfigError(f"scenario {name!r}: {key}", message)


def scenario_config(cfg: AssessmentConfig, scenario: Scenario) -> AssessmentConfig:
    """``cfg`` with the scenario's values, validated exactly as ``allocate`` validates them.

    Raises :class:`ConfigError` naming the scenario and the key at fault.
    """
    try:
        out = with_overrides(
            cfg, budget=scenario.budget, floor=scenario.floor, cap=scenario.cap, step=scenario.step
        )
        if scenario.method is not None:
            allocation = out.allocation.model_copy(update={"method": scenario.method})
            out = validate_config(out.model_copy(update={"allocation": allocation}))
    except ConfigError as exc:
        raise _problem(scenario.name, exc.key, str(exc).removeprefix(f"{exc.key}: ")) from exc
    return out


def scenarios_from_options(
    budgets: Sequence[int] = (),
    floors: Sequence[int] = (),
    caps: Sequence[int] = (),
    steps: Sequence[int] = (),
    methods: Sequence[str] = (),
) -> list[Scenario]:
    """Scenarios from repeatable command-line values.

    Every option given once applies to all scenarios; options given more than once must be given
    the same number of times N, making N scenarios (the i-th values together). Names list the
    values that differ between scenarios (``budget=800000``), else ``s1``, ``s2`` ….
    """
    given: dict[str, Sequence[Any]] = {
        name: values
        for name, values in zip(PARAMETERS, (budgets, floors, caps, steps, methods), strict=True)
        if values
    }
    lengths = {len(values) for values in given.values() if len(values) > 1}
    if len(lengths) > 1:
        counts = ", ".join(f"--{name} {len(v)}×" for name, v in given.items() if len(v) > 1)
        raise ConfigError("scenarios", f"repeated options must be repeated equally often ({counts})")
    n = lengths.pop() if lengths else (1 if given else 0)
    varying = [name for name, values in given.items() if len(set(values)) > 1]
    out: list[Scenario] = []
    for i in range(n):
        values = {name: (v[i] if len(v) > 1 else v[0]) for name, v in given.items()}
        label = ", ".join(f"{name}={values[name]}" for name in varying) if varying else f"s{i + 1}"
        out.append(Scenario(name=label, **values))
    return unique_names(out)


def unique_names(scenarios: list[Scenario]) -> list[Scenario]:
    """Refuse two scenarios of the same name (their columns would collide)."""
    seen: set[str] = set()
    for scenario in scenarios:
        if scenario.name in seen:
            raise _problem(scenario.name, "name", "is used by two scenarios")
        seen.add(scenario.name)
    return scenarios


def load_scenarios(path: Path) -> list[Scenario]:
    """Named scenarios from a TOML file, in file order::

    [scenarios.lean]
    budget = 800000
    [scenarios.generous]
    budget = 1200000
    cap = 25000
    """
    where = str(path)
    raw = read_toml(path, "scenario file")
    unknown = sorted(set(raw) - {"scenarios"})
    if unknown:
        raise ConfigError(where, f"unknown key {unknown[0]!r} (only [scenarios.NAME] tables)")
    tables = raw.get("scenarios")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(where, "names no scenario (write [scenarios.NAME] tables)")
    out: list[Scenario] = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise _problem(name, "scenarios", "must be a table of budget, floor, cap, step, method")
        extra = sorted(set(table) - set(PARAMETERS))
        if extra:
            raise _problem(name, extra[0], f"unknown key (known: {', '.join(PARAMETERS)})")
        for key, value in table.items():
            wanted = str if key == "method" else int
            if isinstance(value, bool) or not isinstance(value, wanted):
                raise _problem(name, f"allocation.{key}", f"must be {wanted.__name__}, got {value!r}")
        out.append(Scenario(name=name, **table))
    return unique_names(out)


def _summary_row(name: str, cfg: AssessmentConfig, result: AllocationResult) -> dict[str, Any]:
    rows = result.allocations
    funded = rows.loc[rows["reason"] == FUNDED, "amount_cny"].to_numpy(dtype=np.int64)
    a = cfg.allocation
    some = funded.size > 0
    return {
        "scenario": name,
        "method": a.method,
        "budget": a.budget,
        "floor": a.floor,
        "cap": a.cap,
        "step": a.step,
        "funded": int(funded.size),
        "min_amount": int(funded.min()) if some else None,
        # A median of integer CNY can fall between two amounts: kept as the float it is.
        "median_amount": float(np.median(funded)) if some else None,
        "max_amount": int(funded.max()) if some else None,
        "at_floor": int(np.count_nonzero(funded == a.floor)),
        "at_cap": int(np.count_nonzero(funded == a.cap)),
        "allocated": result.allocated,
        "unallocated": result.unallocated,
    }


def run_scenarios(
    scores: pd.DataFrame,
    cfg: AssessmentConfig,
    scenarios: Sequence[Scenario],
    *,
    excluded_unit_ids: Sequence[object] = (),
) -> ScenarioResults:
    """Allocate every scenario over ``scores`` (``unit_id, total, grade``, more columns kept).

    All scenarios are validated before any is allocated. ``amounts`` keeps the input rows and
    order and adds one integer CNY column per scenario (named like the scenario).
    """
    if not scenarios:
        raise ConfigError("scenarios", "name at least one scenario (--budget …, or --file FILE)")
    unique_names(list(scenarios))
    configs = [scenario_config(cfg, s) for s in scenarios]
    amounts = scores.reset_index(drop=True).copy()
    summary: list[dict[str, Any]] = []
    results: dict[str, AllocationResult] = {}
    for scenario, scenario_cfg in zip(scenarios, configs, strict=True):
        try:
            result = allocate(
                scores[["unit_id", "total", "grade"]], scenario_cfg, excluded_unit_ids=excluded_unit_ids
            )
        except AllocationInfeasible as exc:
            raise _problem(scenario.name, "allocation.tiered", str(exc)) from exc
        per_unit = result.allocations.set_index("unit_id")["amount_cny"]
        amounts[scenario.name] = amounts["unit_id"].map(per_unit).astype(np.int64)
        summary.append(_summary_row(scenario.name, scenario_cfg, result))
        results[scenario.name] = result
    return ScenarioResults(
        amounts=amounts, summary=pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS)), results=results
    )


#: The scenarios report.html and report.xlsx show beside the published allocation: the same
#: rules with the budget at these shares of the configured one (rounded down to the step).
REPORT_BUDGET_SHARES: tuple[float, ...] = (0.8, 1.0, 1.2)


def report_scenarios(scores: pd.DataFrame, cfg: AssessmentConfig) -> pd.DataFrame:
    """Summary rows (:data:`SUMMARY_COLUMNS` and ``share`` in percent) of the budget at
    :data:`REPORT_BUDGET_SHARES` of ``cfg``'s; a share whose scenario is invalid (a tiered
    allocation beyond that budget) is left out."""
    a = cfg.allocation
    rows = []
    for share in REPORT_BUDGET_SHARES:
        budget = int(share * a.budget) // a.step * a.step
        name = f"{round(share * 100)}"
        try:
            outcome = run_scenarios(
                scores[["unit_id", "total", "grade"]], cfg, [Scenario(name, budget=budget)]
            )
        except ConfigError:
            continue
        rows.append(outcome.summary.assign(share=round(share * 100)))
    if not rows:
        return pd.DataFrame(columns=[*SUMMARY_COLUMNS, "share"])
    return pd.concat(rows, ignore_index=True)
