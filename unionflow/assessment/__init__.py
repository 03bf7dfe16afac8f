"""Pure domain functions of the mutual-review assessment: config, scoring, flags, allocation.

No Prefect, no database, no I/O beyond reading the TOML config. See docs/scoring.md.
"""

from unionflow.assessment.allocation import AllocationInfeasible, AllocationResult, allocate
from unionflow.assessment.config import (
    AssessmentConfig,
    ConfigError,
    config_hash,
    config_to_dict,
    load_config,
    resolve_config,
    with_overrides,
)
from unionflow.assessment.indicators import indicator_scores
from unionflow.assessment.peer import peer_scores, reviewer_bias
from unionflow.assessment.review_flags import review_flags
from unionflow.assessment.scoring import (
    SCORE_COLUMNS,
    assign_grades,
    competition_rank,
    score_year,
    unit_flags,
)

__all__ = [
    "SCORE_COLUMNS",
    "AllocationInfeasible",
    "AllocationResult",
    "AssessmentConfig",
    "ConfigError",
    "allocate",
    "assign_grades",
    "competition_rank",
    "config_hash",
    "config_to_dict",
    "indicator_scores",
    "load_config",
    "peer_scores",
    "resolve_config",
    "review_flags",
    "reviewer_bias",
    "score_year",
    "unit_flags",
    "with_overrides",
]
