"""The assessment configuration's constants and typed models (SPEC §7 scoring, §8 allocation).

The models only declare shapes and types (strict pydantic, unknown keys refused); reading the
TOML files, merging them over the packaged defaults and checking the rules between values is
`unionflow.assessment.config`, which re-exports every name here (import from there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CONFIG_VERSION = 1

#: Indicator rates in SPEC §7 table order (the summation order of the indicator score).
RATES: tuple[str, ...] = (
    "training",
    "upgrades",
    "competition",
    "studios",
    "innovation",
    "innovation_value",
    "adoption",
    "proposals",
    "service",
)
#: Peer-review criteria in SPEC §7 order (the summation order of the peer score).
CRITERIA: tuple[str, ...] = ("guidance", "skills", "innovation", "institution", "service")
PEER_METHODS: tuple[str, ...] = ("trimmed_mean", "median", "calibrated", "pg1")
ALLOCATION_METHODS: tuple[str, ...] = ("proportional", "tiered")
WEIGHT_MODES: tuple[str, ...] = ("excess", "total")
#: Grades a unit with a total can get; only these may be eligible for funding.
SCORED_GRADES: tuple[str, ...] = ("excellent", "good", "pass", "fail")

#: The largest amount of money (CNY) a config may name: 2^53, the largest integer the allocation's
#: double-precision arithmetic (λ·w, the XLSX cells) holds exactly; far inside the warehouse's BIGINT.
MAX_MONEY = 2**53


class ConfigError(ValueError):
    """Invalid configuration; ``key`` is the dotted key at fault (e.g. ``allocation.floor``)."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


class _Section(BaseModel):
    """A config table: unknown keys and loose types refused (no "5" for 5, no true for 1)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class IndicatorConfig(_Section):
    """Indicator score: weight per rate (keys = :data:`RATES`)."""

    weights: Mapping[str, float]


class PeerConfig(_Section):
    """Peer score: aggregation method, review-count thresholds, criterion weights."""

    method: str
    min_reviews: int
    trim_min_reviews: int
    calibration_shrinkage: float
    weights: Mapping[str, float]


class BonusConfig(_Section):
    """Bonus = min(cap, per_honor × craftsmen_honors)."""

    per_honor: float
    cap: float


class TotalConfig(_Section):
    """Total = min(cap, indicator_weight × indicator + peer_weight × peer + bonus)."""

    indicator_weight: float
    peer_weight: float
    cap: float


class GradesConfig(_Section):
    """Grade thresholds on the total (and the top share needed for ``excellent``)."""

    excellent_min: float
    excellent_top_share: float
    good_min: float
    pass_min: float


class ReviewFlagsConfig(_Section):
    """Thresholds of the review flags reported to stewards."""

    mutual_inflation_margin: float
    flat_min_reviews: int
    contrarian_min_reviews: int
    contrarian_max_correlation: float
    wide_disagreement_range: float


class AllocationConfig(_Section):
    """Subsidy allocation (SPEC §8); money in integer CNY."""

    method: str
    budget: int
    floor: int
    cap: int
    step: int
    # TOML has lists, not tuples: the only field read leniently (its items stay strict strings).
    eligible_grades: Annotated[tuple[str, ...], Field(strict=False)]
    weight: str
    pass_mark: float
    tiered: Mapping[str, int]


class StabilityConfig(_Section):
    """Bootstrap of grade and funding stability (`unionflow stability`; a draft, never applied)."""

    resamples: int
    seed: int
    interval: float
    borderline_share: float


class AssessmentConfig(_Section):
    """The whole resolved assessment configuration."""

    version: int
    indicator: IndicatorConfig
    peer: PeerConfig
    bonus: BonusConfig
    total: TotalConfig
    grades: GradesConfig
    review_flags: ReviewFlagsConfig
    allocation: AllocationConfig
    stability: StabilityConfig
