"""What every command of the `unionflow` CLI shares: consoles, options, identity and checks.

Command modules import this module; it imports none of them. Nothing heavy is imported here, so
`unionflow --help` stays fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.settings import current_user, default_db


class _LazyConsole:
    """A Rich console made on first use (no work at import), wide enough for tables when piped."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def resolved(self) -> Console:
        """The Rich console itself (for Rich objects that need a real one, e.g. `Progress`)."""
        if self._console is None:
            stream = sys.stderr if self._stderr else sys.stdout
            width = None if stream.isatty() else 160
            self._console = Console(stderr=self._stderr, width=width)
        return self._console

    def __getattr__(self, name: str) -> object:
        return getattr(self.resolved, name)


console: Console = _LazyConsole()  # type: ignore[assignment]
errors: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def plain_console() -> Console:
    """A console that prints user text as it is (markup off), wide enough for tables when piped."""
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, soft_wrap=True, markup=False, width=width)


class UsageProblem(Exception):
    """A mistake in how a command was called, found by the command itself."""


class Lang(StrEnum):
    """The languages reports are written in (`--lang`)."""

    en = "en"
    zh = "zh"


class Stage(StrEnum):
    """The two-step publication (`publish --stage`)."""

    notice = "notice"
    final = "final"


class Runner(StrEnum):
    """Where a flow's tasks run (`--runner`, flows/runners.py)."""

    default = "default"
    dask = "dask"


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file.", show_default="$UNIONFLOW_DB or ./unionflow.duckdb"),
]
YearOption = Annotated[int, typer.Option("--year", min=2000, max=2100, help="Assessment year.")]
OptionalYearOption = Annotated[int | None, typer.Option("--year", min=2000, max=2100, help="Only this year.")]
LangOption = Annotated[Lang, typer.Option("--lang", help="Report language.")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Scoring config TOML.", show_default="built in")
]
BudgetOption = Annotated[
    int | None,
    typer.Option("--budget", help="Subsidy budget in CNY.", show_default="the config's, 1,000,000"),
]
FloorOption = Annotated[
    int | None,
    typer.Option("--floor", help="Smallest amount per funded unit.", show_default="the config's, 5,000"),
]
CapOption = Annotated[
    int | None, typer.Option("--cap", help="Largest amount per unit.", show_default="the config's, 20,000")
]
StepOption = Annotated[
    int | None,
    typer.Option("--step", help="Amounts are multiples of this.", show_default="the config's, 100"),
]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for the published files.")]
SupersedeOption = Annotated[
    str | None, typer.Option("--supersede", help="Reason for replacing an already published allocation.")
]
PushOption = Annotated[str | None, typer.Option("--to", help="Portal base URL to push the allocation to.")]
SourceOption = Annotated[str, typer.Option("--source", help="Portal base URL (http/https) or a folder.")]
PartitionsOption = Annotated[
    int | None,
    typer.Option(
        "--partitions",
        min=1,
        help="Validate in this many partitions.",
        show_default="one per 500,000 records",
    ),
]
RunnerOption = Annotated[Runner, typer.Option("--runner", help="Where tasks run: default (threads) or dask.")]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask-address", help="Dask scheduler, e.g. tcp://host:8786.", show_default="a local cluster"
    ),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides.", show_default="$UNIONFLOW_USER or the login name")
]


def db_path(db: Path | None) -> Path:
    """The warehouse a command works on: --db, else $UNIONFLOW_DB, else ./unionflow.duckdb."""
    return db if db is not None else default_db()


def who(by: str | None) -> str:
    """The person recorded in an audit row: --by, else $UNIONFLOW_USER, else the login name."""
    if by and by.strip():
        return by.strip()
    return current_user()


def checked_lang(lang: str) -> str:
    """`--lang` as the plain string the flows take (Typer already refused other languages)."""
    if lang not in tuple(Lang):
        raise UsageProblem(f"--lang must be en or zh, not {lang!r}")
    return str(lang)


def checked_config(
    config: Path | None,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
) -> str | None:
    """Validate the config and overrides before any flow starts; returns the path for the flow."""
    from unionflow.assessment import resolve_config

    if config is not None and not config.is_file():
        raise UsageProblem(f"config file {config} does not exist")
    resolve_config(str(config) if config else None, budget=budget, floor=floor, cap=cap, step=step)
    return str(config) if config else None
