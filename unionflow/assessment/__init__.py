"""Pure domain functions of the mutual-review assessment: config, scoring, flags, allocation.

No Prefect, no database, no I/O beyond reading the TOML config. See docs/scoring.md.

The names below are re-exported lazily (PEP 562): importing the package, or only its config,
does not import pandas and numpy, so a command that merely validates a config or refuses early
stays fast (issue 15). `from unionflow.assessment import score_year` imports the module then.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

#: Each re-exported name and the module that defines it.
_HOMES = {
    "AllocationInfeasible": "allocation",
    "AllocationResult": "allocation",
    "allocate": "allocation",
    "AssessmentConfig": "config",
    "ConfigError": "config",
    "config_hash": "config",
    "config_to_dict": "config",
    "load_config": "config",
    "resolve_config": "config",
    "with_overrides": "config",
    "indicator_scores": "indicators",
    "peer_scores": "peer",
    "reviewer_bias": "peer",
    "SCORE_COLUMNS": "scoring",
    "assign_grades": "scoring",
    "competition_rank": "scoring",
    "score_year": "scoring",
    "unit_flags": "scoring",
}

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


def __getattr__(name: str) -> object:
    """Import a re-exported name's module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """The package, whose `review_flags` is always the function, as with eager re-exports.

    `review_flags` is also a submodule's name: importing that submodule (scoring does) binds the
    module over the package attribute, which eager imports then re-bound to the function. Here
    the import system's binding is ignored and the name resolves to the function.
    """

    @property
    def review_flags(self) -> object:
        """The `review_flags` function (not its module)."""
        return import_module(f"{__name__}.review_flags").review_flags

    @review_flags.setter
    def review_flags(self, value: object) -> None:
        del value  # the submodule bound by the import system; the name means the function


sys.modules[__name__].__class__ = _Package
