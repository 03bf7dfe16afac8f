"""How the command line words a refusal's next steps (`unionflow.next_step`) after its facts.

One clause per kind, in a fixed order, so every refusal reads the same way:
``…; run `unionflow score --year 2025`, then `unionflow allocate --year 2025` first or pass
--force REASON; see `unionflow status --year 2025` ``.
"""

from __future__ import annotations

from collections.abc import Sequence

from unionflow.next_step import NextStep, PassOption, RunCommand, SeeCommand


def _command(argv: tuple[str, ...]) -> str:
    return "`unionflow " + " ".join(argv) + "`"


def worded(facts: str, steps: Sequence[NextStep]) -> str:
    """`facts` followed by what to do next, as one line; `facts` alone when there is nothing to do."""
    runs = [_command(step.argv) for step in steps if isinstance(step, RunCommand)]
    options = [step.option for step in steps if isinstance(step, PassOption)]
    sees = [_command(step.argv) for step in steps if isinstance(step, SeeCommand)]
    remedy = ""
    if runs:
        remedy = "run " + ", then ".join(runs) + " first"
    if options:
        passed = "pass " + " or ".join(options)
        remedy = f"{remedy} or {passed}" if remedy else passed
    clauses = [facts] + ([remedy] if remedy else []) + (["see " + " and ".join(sees)] if sees else [])
    return "; ".join(clauses)
