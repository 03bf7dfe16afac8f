"""The command line's fast paths import neither Prefect nor pandas (issue 15: answers in seconds).

Each check runs in a new interpreter, since the test process has long imported both.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("prefect", "pandas", "great_expectations", "pandera")


def _heavy_after(statement: str) -> list[str]:
    probe = f"{statement}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()


def test_importing_the_cli_entry_module_imports_no_heavy_library() -> None:
    assert _heavy_after("import flows.cli.main") == []


@pytest.mark.parametrize(
    "module",
    [
        "flows.cli.checks",  # the refusals before Prefect
        "flows.stewardship",  # quarantine list / show
        "flows.events",  # a steward decision told to a Prefect server
        "warehouse.assignment_checks",  # assign --check
        "warehouse.publication",  # objection list, the final-stage blockers
        "unionflow.assessment.config",  # --config checked before a flow
    ],
)
def test_a_fast_command_path_imports_no_heavy_library(module: str) -> None:
    assert _heavy_after(f"import {module}") == []


def test_the_lazy_assessment_package_still_names_the_review_flags_function() -> None:
    # `review_flags` is both a submodule and the function the package re-exports; importing the
    # submodule (scoring does) must not turn the package's name into the module.
    import types

    import unionflow.assessment.scoring  # noqa: F401 - imports the review_flags submodule
    from unionflow.assessment import review_flags

    assert callable(review_flags) and not isinstance(review_flags, types.ModuleType)
