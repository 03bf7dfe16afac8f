"""What a user can do about a refusal, named by the layer that refuses and worded by the CLI.

The warehouse and the tasks know *what* is missing (no allocation for 2025, a rejection that must
be reopened first), not how the command line spells the remedy; so their errors carry `NextStep`s
and `flows.cli.errors` turns them into the hint at the end of the one-line message. A flow run
started from a deployment logs the error's facts without CLI wording.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunCommand:
    """Run this unionflow command first: `argv` without the program name, e.g. ("score", "--year", "2025")."""

    argv: tuple[str, ...]

    @classmethod
    def of(cls, *argv: object) -> RunCommand:
        """The command `argv`, each part as text (a year may be passed as an int)."""
        return cls(tuple(str(part) for part in argv))


@dataclass(frozen=True)
class PassOption:
    """Repeat the refused command with this option, e.g. "--force REASON"."""

    option: str


@dataclass(frozen=True)
class SeeCommand:
    """This unionflow command shows why (e.g. ("status", "--year", "2025")); not a remedy itself."""

    argv: tuple[str, ...]

    @classmethod
    def of(cls, *argv: object) -> SeeCommand:
        """The command `argv`, each part as text."""
        return cls(tuple(str(part) for part in argv))


NextStep = RunCommand | PassOption | SeeCommand


class Refusal(Exception):
    """An error a user can fix, with what to do next (`next_steps`, in order) kept apart from the facts.

    `str(error)` is the facts only. The steps survive pickling (Prefect's process and Dask runners
    send exceptions between processes): `BaseException.__reduce__` carries the instance's `__dict__`.
    """

    def __init__(self, message: str, *, next_steps: tuple[NextStep, ...] = ()) -> None:
        super().__init__(message)
        self.next_steps = next_steps
