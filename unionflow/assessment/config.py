"""Versioned assessment configuration (SPEC §7 scoring, §8 allocation): reading and checking it.

The packaged ``default_config.toml`` holds every weight, threshold and method with the spec's
defaults. A user file is merged over it, so it only has to name what it changes (plus
``version``). Parsing is strict: unknown keys, wrong types and inconsistent values raise
:class:`ConfigError` naming the offending key, which the CLI maps to exit code 2. The constants
and typed models are declared in ``config_models`` and re-exported here, the one import path.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from unionflow.assessment.config_models import (
    ALLOCATION_METHODS,
    CONFIG_VERSION,
    CRITERIA,
    MAX_MONEY,
    PEER_METHODS,
    RATES,
    SCORED_GRADES,
    WEIGHT_MODES,
    AllocationConfig,
    AssessmentConfig,
    BonusConfig,
    ConfigError,
    GradesConfig,
    IndicatorConfig,
    PeerConfig,
    ReviewFlagsConfig,
    StabilityConfig,
    TotalConfig,
)

__all__ = [
    "ALLOCATION_METHODS",
    "CONFIG_VERSION",
    "CRITERIA",
    "MAX_MONEY",
    "PEER_METHODS",
    "RATES",
    "SCORED_GRADES",
    "WEIGHT_MODES",
    "AllocationConfig",
    "AssessmentConfig",
    "BonusConfig",
    "ConfigError",
    "GradesConfig",
    "IndicatorConfig",
    "PeerConfig",
    "ReviewFlagsConfig",
    "StabilityConfig",
    "TotalConfig",
    "config_hash",
    "config_to_dict",
    "load_config",
    "read_toml",
    "resolve_config",
    "validate_config",
    "with_overrides",
]

_WEIGHT_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- parsing


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _key_of(location: tuple[int | str, ...]) -> str:
    key = ""
    for part in location:
        key = f"{key}[{part}]" if isinstance(part, int) else _join(key, part)
    return key or "config"


#: pydantic error type -> the wording of this module's messages
_WORDING = {
    "extra_forbidden": "unknown key",
    "missing": "missing",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "finite_number": "must be finite",
    "string_type": "must be a string",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "mapping_type": "must be a table",
    "model_type": "must be a table",
}


def _build(raw: Any) -> AssessmentConfig:
    """The typed config of a merged TOML document; the first problem as a `ConfigError`."""
    try:
        return AssessmentConfig.model_validate(raw)
    except ValidationError as problems:
        first = problems.errors(include_url=False)[0]
        key = _key_of(tuple(first["loc"]))
        wording = _WORDING.get(first["type"])
        if wording is None:
            raise ConfigError(key, first["msg"]) from None
        if first["type"] in ("missing", "extra_forbidden"):
            raise ConfigError(key, wording) from None
        raise ConfigError(key, f"{wording}, got {first['input']!r}") from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` over ``base`` (tables merge, everything else replaces)."""
    out = dict(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


# ------------------------------------------------------------------------ validation


def _check_weights(weights: Mapping[str, float], expected: tuple[str, ...], key: str) -> None:
    for name in weights:
        if name not in expected:
            raise ConfigError(_join(key, name), f"unknown key (expected one of {', '.join(expected)})")
    for name in expected:
        if name not in weights:
            raise ConfigError(_join(key, name), "missing")
        if weights[name] < 0:
            raise ConfigError(_join(key, name), f"must be >= 0, got {weights[name]!r}")
    total = math.fsum(weights.values())
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        raise ConfigError(key, f"weights must sum to 1, got {total!r}")


def _check_choice(value: str, choices: tuple[str, ...], key: str) -> None:
    if value not in choices:
        raise ConfigError(key, f"unknown value {value!r} (expected one of {', '.join(choices)})")


def _check_min(value: float, minimum: float, key: str) -> None:
    if value < minimum:
        raise ConfigError(key, f"must be >= {minimum}, got {value!r}")


def _check_money(value: int, key: str) -> None:
    if value > MAX_MONEY:
        raise ConfigError(
            key, f"{value} CNY is more than unionflow can hold exactly (at most {MAX_MONEY} = 2^53)"
        )


def _check_range(value: float, lo: float, hi: float, key: str) -> None:
    if not lo <= value <= hi:
        raise ConfigError(key, f"must be between {lo} and {hi}, got {value!r}")


def validate_config(cfg: AssessmentConfig) -> AssessmentConfig:
    """Check cross-field rules; return ``cfg`` unchanged or raise :class:`ConfigError`."""
    if cfg.version != CONFIG_VERSION:
        raise ConfigError("version", f"unsupported version {cfg.version!r} (expected 1)")
    _check_weights(cfg.indicator.weights, RATES, "indicator.weights")

    peer = cfg.peer
    _check_choice(peer.method, PEER_METHODS, "peer.method")
    _check_min(peer.min_reviews, 1, "peer.min_reviews")
    # Trimming drops two values, so at least one must remain.
    _check_min(peer.trim_min_reviews, 3, "peer.trim_min_reviews")
    _check_min(peer.calibration_shrinkage, 0, "peer.calibration_shrinkage")
    _check_weights(peer.weights, CRITERIA, "peer.weights")

    _check_min(cfg.bonus.per_honor, 0, "bonus.per_honor")
    _check_min(cfg.bonus.cap, 0, "bonus.cap")

    tot = cfg.total
    _check_min(tot.indicator_weight, 0, "total.indicator_weight")
    _check_min(tot.peer_weight, 0, "total.peer_weight")
    blend = math.fsum((tot.indicator_weight, tot.peer_weight))
    if abs(blend - 1.0) > _WEIGHT_TOLERANCE:
        raise ConfigError("total", f"indicator_weight + peer_weight must sum to 1, got {blend!r}")
    _check_min(tot.cap, 0, "total.cap")

    g = cfg.grades
    _check_range(g.pass_min, 0, 100, "grades.pass_min")
    _check_range(g.good_min, 0, 100, "grades.good_min")
    _check_range(g.excellent_min, 0, 100, "grades.excellent_min")
    if g.good_min < g.pass_min:
        raise ConfigError("grades.good_min", f"{g.good_min} is below grades.pass_min {g.pass_min}")
    if g.excellent_min < g.good_min:
        raise ConfigError("grades.excellent_min", f"{g.excellent_min} is below grades.good_min {g.good_min}")
    if not 0 < g.excellent_top_share <= 1:
        raise ConfigError("grades.excellent_top_share", f"must be in (0, 1], got {g.excellent_top_share!r}")

    rf = cfg.review_flags
    _check_min(rf.mutual_inflation_margin, 0, "review_flags.mutual_inflation_margin")
    _check_min(rf.flat_min_reviews, 2, "review_flags.flat_min_reviews")
    # A correlation needs at least 3 points to mean anything.
    _check_min(rf.contrarian_min_reviews, 3, "review_flags.contrarian_min_reviews")
    _check_range(rf.contrarian_max_correlation, -1, 1, "review_flags.contrarian_max_correlation")
    _check_range(rf.wide_disagreement_range, 0, 100, "review_flags.wide_disagreement_range")

    _validate_allocation(cfg.allocation)
    _check_no_negative_weight(cfg.allocation, cfg.grades)
    st = cfg.stability
    _check_min(st.resamples, 1, "stability.resamples")
    _check_min(st.seed, 0, "stability.seed")
    if not 0 < st.interval < 1:
        raise ConfigError("stability.interval", f"must be in (0, 1), got {st.interval!r}")
    _check_range(st.borderline_share, 0, 1, "stability.borderline_share")
    return cfg


def _check_no_negative_weight(a: AllocationConfig, g: GradesConfig) -> None:
    """Refuse a pass mark above the lowest total an eligible grade admits (weight = excess).

    Such a unit would get a negative weight: SPEC §8's budget equation then has no meaningful
    solution and most of the fund would silently stay unallocated.
    """
    if a.method != "proportional" or a.weight != "excess":
        return
    lowest = {"excellent": g.excellent_min, "good": g.good_min, "pass": g.pass_min, "fail": 0.0}
    for grade in a.eligible_grades:
        if a.pass_mark > lowest[grade]:
            where = f"grades.{grade}_min {lowest[grade]:g}" if grade != "fail" else "0 (the lowest fail)"
            raise ConfigError(
                "allocation.pass_mark",
                f"{a.pass_mark:g} is above {where}, so an eligible {grade!r} unit could get a negative "
                f"weight (allocation.weight = 'excess'); lower allocation.pass_mark or leave {grade!r} "
                "out of allocation.eligible_grades",
            )


def _validate_allocation(a: AllocationConfig) -> None:
    _check_choice(a.method, ALLOCATION_METHODS, "allocation.method")
    _check_choice(a.weight, WEIGHT_MODES, "allocation.weight")
    _check_min(a.step, 1, "allocation.step")
    for name in ("budget", "floor", "cap", "step"):
        _check_min(getattr(a, name), 0, f"allocation.{name}")
        _check_money(getattr(a, name), f"allocation.{name}")
    if a.floor > a.cap:
        raise ConfigError("allocation.floor", f"{a.floor} is above allocation.cap {a.cap}")
    for name in ("budget", "floor", "cap"):
        value = getattr(a, name)
        if value % a.step:
            raise ConfigError(f"allocation.{name}", f"{value} is not a multiple of allocation.step {a.step}")
    if not a.eligible_grades:
        raise ConfigError("allocation.eligible_grades", "must name at least one grade")
    for i, grade in enumerate(a.eligible_grades):
        _check_choice(grade, SCORED_GRADES, f"allocation.eligible_grades[{i}]")
    if len(set(a.eligible_grades)) != len(a.eligible_grades):
        raise ConfigError("allocation.eligible_grades", "lists a grade twice")
    _check_range(a.pass_mark, 0, 100, "allocation.pass_mark")
    for grade, amount in a.tiered.items():
        key = f"allocation.tiered.{grade}"
        _check_choice(grade, SCORED_GRADES, key)
        _check_min(amount, 0, key)
        _check_money(amount, key)
    if a.method == "tiered":
        # Only checked when tiered is in use, so CLI floor/cap overrides do not trip over
        # the (unused) tier amounts.
        for grade in a.eligible_grades:
            key = f"allocation.tiered.{grade}"
            if grade not in a.tiered:
                raise ConfigError(key, "missing (every eligible grade needs a tiered amount)")
            amount = a.tiered[grade]
            if amount % a.step:
                raise ConfigError(key, f"{amount} is not a multiple of allocation.step {a.step}")
            if not a.floor <= amount <= a.cap:
                raise ConfigError(key, f"{amount} is outside allocation.floor {a.floor} .. cap {a.cap}")


# ---------------------------------------------------------------------------- public


def _default_raw() -> dict[str, Any]:
    text = resources.files("unionflow.assessment").joinpath("default_config.toml").read_text("utf-8")
    return tomllib.loads(text)


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The TOML table in `path`; ConfigError (one line naming the file) if unreadable or invalid."""
    where = str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(where, f"cannot read {what} ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(where, f"not valid TOML ({exc})") from exc


def load_config(path: Path | None = None) -> AssessmentConfig:
    """Load and validate the assessment config.

    ``None`` loads the packaged defaults. A file is merged over the defaults; it must declare
    ``version = 1`` and may only use known keys.
    """
    raw = _default_raw()
    if path is not None:
        where = str(path)
        user = read_toml(path, "config file")
        if "version" not in user:
            raise ConfigError("version", f"missing in {where} (this format is version 1)")
        raw = _merge(raw, user)
    return validate_config(_build(raw))


def with_overrides(
    cfg: AssessmentConfig,
    *,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
    peer_method: str | None = None,
) -> AssessmentConfig:
    """Return ``cfg`` with CLI overrides applied (``None`` keeps a value), re-validated."""
    alloc_changes: dict[str, Any] = {}
    for name, value in (("budget", budget), ("floor", floor), ("cap", cap), ("step", step)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"allocation.{name}", f"must be an integer, got {value!r}")
        alloc_changes[name] = value
    out = cfg
    # model_copy does not validate: the types were checked just above, the rules by validate_config.
    if alloc_changes:
        out = out.model_copy(update={"allocation": out.allocation.model_copy(update=alloc_changes)})
    if peer_method is not None:
        out = out.model_copy(update={"peer": out.peer.model_copy(update={"method": peer_method})})
    return validate_config(out)


def resolve_config(
    config: str | Path | None = None,
    *,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
    peer_method: str | None = None,
) -> AssessmentConfig:
    """The scoring config file (or the packaged defaults) with command-line overrides applied."""
    cfg = load_config(Path(config) if config else None)
    return with_overrides(cfg, budget=budget, floor=floor, cap=cap, step=step, peer_method=peer_method)


def config_to_dict(cfg: AssessmentConfig) -> dict[str, Any]:
    """Plain JSON-able dict of the resolved config (tables as dicts, lists as lists)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    result: dict[str, Any] = plain(cfg.model_dump())
    return result


def config_hash(cfg: AssessmentConfig) -> str:
    """SHA-256 hex of the canonical JSON (sorted keys, no whitespace) of the resolved config."""
    canonical = json.dumps(config_to_dict(cfg), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
