"""A refusal names what to do next as data; only the command line words it (issue 16).

The warehouse and the tasks raise `Refusal`s whose text is the facts; `flows.cli.next_steps`
appends the remedy, so a flow run from a deployment logs no CLI wording and the CLI's one line
still tells the user which command to run.
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

from flows.cli.next_steps import worded
from tests.cli import unionflow
from unionflow.next_step import PassOption, RunCommand, SeeCommand
from warehouse.missing import no_allocation, nothing_to_score
from warehouse.publication import Blocker, final_refusal

ROOT = Path(__file__).resolve().parents[1]


def test_a_command_to_run_first_follows_the_facts() -> None:
    assert worded("2025 has no allocation", [RunCommand.of("allocate", "--year", 2025)]) == (
        "2025 has no allocation; run `unionflow allocate --year 2025` first"
    )


def test_several_commands_run_in_order_and_a_command_that_shows_why_comes_last() -> None:
    steps = [RunCommand.of("score"), RunCommand.of("allocate"), SeeCommand.of("status", "--year", 2025)]
    assert worded("stale", steps) == (
        "stale; run `unionflow score`, then `unionflow allocate` first; see `unionflow status --year 2025`"
    )


def test_an_option_is_the_alternative_to_the_commands() -> None:
    refusal = final_refusal(2025, [Blocker("no notice", RunCommand.of("publish", "--stage", "notice"))])
    assert worded(str(refusal), refusal.next_steps) == (
        "final publication of 2025 refused: no notice; "
        "run `unionflow publish --stage notice` first or pass --force REASON"
    )
    assert worded("published", [PassOption("--supersede REASON")]) == "published; pass --supersede REASON"


def test_facts_alone_when_there_is_nothing_to_do() -> None:
    assert worded("no such objection", []) == "no such objection"


def test_a_refusal_keeps_its_facts_apart_from_its_next_steps() -> None:
    refusal = nothing_to_score(2025)
    assert str(refusal) == "2025 has no accepted submission to score"
    assert "unionflow" not in str(refusal)
    assert SeeCommand.of("quarantine", "list", "--year", 2025) in refusal.next_steps


def test_next_steps_survive_pickling_between_processes() -> None:
    refusal = pickle.loads(pickle.dumps(no_allocation(2025)))
    assert str(refusal) == "2025 has no allocation"
    assert refusal.next_steps == (RunCommand.of("allocate", "--year", 2025),)


def test_the_cli_prints_the_facts_and_the_command_to_run_on_one_line(tmp_path: Path) -> None:
    from warehouse.connection import open_warehouse

    db = tmp_path / "w.duckdb"
    with open_warehouse(db):
        pass  # an empty, migrated warehouse: nothing scored
    refused = unionflow("allocate", "--year", "2025", "--db", str(db))
    assert refused.code == 2
    assert refused.stderr == (
        "unionflow: error: 2025 has not been scored; run `unionflow score --year 2025` first\n"
    )


def _cli_wording(path: Path) -> list[str]:
    """String literals of `path` (not docstrings) that spell a unionflow command."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and "`unionflow " in node.value
    ]


def test_no_warehouse_or_task_error_spells_a_cli_command() -> None:
    found = [
        hit
        for layer in ("warehouse", "tasks")
        for path in (ROOT / layer).rglob("*.py")
        for hit in _cli_wording(path)
    ]
    assert found == []
