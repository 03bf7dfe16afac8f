"""The `MissingData` refusals several steps share, each worded once: a step that needs an earlier one.

The CLI checks them before starting Prefect (`flows.cli.checks`) and the tasks again inside the
flow (a deployment run has no CLI in front of it), so both raise the same error from here.
"""

from __future__ import annotations

from unionflow.next_step import RunCommand, SeeCommand
from warehouse.connection import MissingData


def no_active_units(year: int) -> MissingData:
    """`year` has no active pilot unit (scoring needs the registry)."""
    return MissingData(
        f"no active pilot units for {year}",
        next_steps=(RunCommand.of("units", "import", "FILE"),),
    )


def nothing_to_score(year: int) -> MissingData:
    """`year` has units but no accepted submission: a run of nothing would look like a result."""
    return MissingData(
        f"{year} has no accepted submission to score",
        next_steps=(
            RunCommand.of("collect", "--year", year, "--source", "…"),
            SeeCommand.of("quarantine", "list", "--year", year),
        ),
    )


def not_scored(year: int) -> MissingData:
    """`year` has no score run (allocating and reporting need one)."""
    return MissingData(f"{year} has not been scored", next_steps=(RunCommand.of("score", "--year", year),))


def nothing_to_allocate(year: int, score_run_id: int) -> MissingData:
    """The latest score run of `year` scored no unit (no accepted submission with enough reviews)."""
    return MissingData(
        f"{year} has no scored unit to allocate to (score run {score_run_id}: no accepted submission "
        "with enough reviews)",
        next_steps=(
            RunCommand.of("collect", "--year", year, "--source", "…"),
            RunCommand.of("score", "--year", year),
        ),
    )


def no_allocation(year: int) -> MissingData:
    """`year` has no allocation run (every publication step needs one)."""
    return MissingData(f"{year} has no allocation", next_steps=(RunCommand.of("allocate", "--year", year),))
