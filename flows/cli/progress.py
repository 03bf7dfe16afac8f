"""Stage-by-stage progress of a flow run on the console (Rich), read from Prefect's own run log.

The annual flow is a chain of subflows (collect, validate, score, allocate, publish). Prefect's
engine logs each flow run's start and end, and each task run's end, on the `prefect.flow_runs`
and `prefect.task_runs` loggers with the flow's name attached; a handler on those loggers drives
one Rich progress row per stage with its elapsed time, and a bar for collect that moves as each
record kind (units, submissions, reviews) lands. The flows stay unaware of the console.

Prefect's console handler keeps the level the user asked for (quiet unless --debug): the run
loggers are lowered to INFO only for this handler, and the console handler filters the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

#: Stage of each flow, in the order the annual run goes through them.
STAGES = {
    "collect": "collect: land, check record contracts, load",
    "validate": "validate: dataset suites, Data Docs",
    "score": "score",
    "allocate": "allocate",
    "publish": "publish",
    "annual-assessment": "annual assessment",
}
#: Collect's bar: one step per record kind landed (a portal lands the three kinds in one task).
KIND_STEPS = {"land_from_folder": 1, "land_from_portal": 3}
#: The stages `run` and `demo` show (the annual flow around them is the whole command).
PIPELINE = ("collect", "validate", "score", "allocate", "publish")
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class _StageHandler(logging.Handler):
    """Turns Prefect's run records into progress rows (called from Prefect's worker threads too)."""

    def __init__(self, progress: Progress, shown: set[str]) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.shown = shown
        self.rows: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._emit(record)
        except Exception:  # progress must never break a run
            self.handleError(record)

    def _emit(self, record: logging.LogRecord) -> None:
        flow = getattr(record, "flow_name", None)
        if flow not in self.shown:
            return
        if record.name == "prefect.task_runs":
            task = str(getattr(record, "task_run_name", "") or "").rsplit("-", 1)[0]
            if flow == "collect" and task in KIND_STEPS and record.getMessage().startswith("Finished"):
                self.progress.advance(self._row(flow), KIND_STEPS[task])
            return
        row = self._row(flow)
        if record.getMessage().startswith("Finished in state"):
            state = record.getMessage().removeprefix("Finished in state").strip().rstrip("()")
            done = "done" if state.startswith("Completed") else state.split("(")[0].lower()
            self.progress.update(row, completed=self.progress.tasks[row].total or 1, status=done)
            self.progress.stop_task(row)

    def _row(self, flow: str) -> TaskID:
        if flow not in self.rows:
            total = 3 if flow == "collect" else 1
            self.rows[flow] = self.progress.add_task(STAGES[flow], total=total, status="")
        return self.rows[flow]


@contextmanager
def stage_progress(console: Console, flows: tuple[str, ...] = tuple(STAGES)) -> Iterator[None]:
    """Show a row per stage of the flows named in `flows` while the block runs."""
    progress = Progress(
        SpinnerColumn(finished_text="[green]✓[/]"),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=getattr(console, "resolved", console),
    )
    handler = _StageHandler(progress, set(flows))
    prefect_logger = logging.getLogger("prefect")
    threshold = prefect_logger.getEffectiveLevel()
    quiet = _AtLeast(threshold)
    saved = {}
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    # Prefect's console handler sits on the root logger.
    console_handlers = [
        h for h in logging.getLogger().handlers if type(h).__name__ == "PrefectConsoleHandler"
    ]
    for console_handler in console_handlers:
        console_handler.addFilter(quiet)
    try:
        with progress:
            yield
    finally:
        for name in RUN_LOGGERS:
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.setLevel(saved[name])
        for console_handler in console_handlers:
            console_handler.removeFilter(quiet)


class _AtLeast(logging.Filter):
    """Lets through only records at or above the level the user asked Prefect's console for."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level or not record.name.startswith("prefect")
