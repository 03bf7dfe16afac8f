"""Pure domain functions of the mutual-review assessment: config, scoring, flags, allocation.

No Prefect, no database, no I/O beyond reading the TOML config. See docs/scoring.md.
"""

from assessment.allocation import AllocationInfeasible, AllocationResult, allocate
from assessment.config import (
    AssessmentConfig,
    ConfigError,
    config_hash,
    config_to_dict,
    load_config,
    with_overrides,
)
from assessment.indicators import indicator_scores
from assessment.peer import peer_scores, reviewer_bias
from assessment.review_flags import review_flags
from assessment.scoring import (
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
    "review_flags",
    "reviewer_bias",
    "score_year",
    "unit_flags",
    "with_overrides",
]
