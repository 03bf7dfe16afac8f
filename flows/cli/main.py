"""The `unionflow` command line (SPEC section 3): the root app and the console-script entry point.

Commands live one group per module (`pipeline`, `assign`, `stewardship`, `publication`,
`operations`, `portal`), sharing the options of `flows.cli.options`; this module assembles them.
User mistakes (bad flag, missing file, locked warehouse, bad config) end with one line on stderr
and exit code 2; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Annotated

import typer

from flows.cli import assign, decision, operations, pipeline, publication, stewardship
from flows.cli.next_steps import worded
from flows.cli.options import UsageProblem, console, errors
from flows.cli.portal import portal_app
from flows.settings import apply_quiet_defaults
from unionflow.next_step import Refusal

app = typer.Typer(
    name="unionflow",
    help="Annual mutual-review assessment of trade-union reform pilot units.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"unionflow {version('unionflow')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Show Prefect's log and the full traceback of an error instead of one line "
            "(anywhere on the command line).",
        ),
    ] = False,
) -> None:
    """Annual mutual-review assessment of trade-union reform pilot units."""
    # `--debug` is taken out of the arguments by `main()` before Typer parses them; declared here
    # so that it is documented in --help.


for commands in (pipeline.app, assign.app, stewardship.app, publication.app, operations.app, decision.app):
    app.add_typer(commands)
app.add_typer(stewardship.units_app, name="units")
app.add_typer(stewardship.review_app, name="review")
app.add_typer(stewardship.quarantine_app, name="quarantine")
app.add_typer(portal_app, name="portal", help="The reference federation portal (for demos and tests).")
app.add_typer(
    publication.objection_app, name="objection", help="Objections raised during the public notice (公示)."
)
app.add_typer(operations.backup_app, name="backup", help="Warehouse backups taken around every publication.")


#: The user mistakes that end with one line and exit 2, as (module, class name).
USER_ERRORS = (
    ("unionflow.sources.payloads", "SourceError"),
    ("warehouse.connection", "WarehouseError"),
    ("unionflow.assessment.config", "ConfigError"),
    ("unionflow.assessment.allocation", "AllocationInfeasible"),
    ("flows.warm_start", "TemporaryApiError"),
)


def _user_errors() -> tuple[type[BaseException], ...]:
    # Only modules already imported: an error of a class whose module was never imported cannot
    # have been raised, and importing them now (pandas, …) would cost a refusal a second or two.
    found: list[type[BaseException]] = [UsageProblem, FileNotFoundError]
    for module, name in USER_ERRORS:
        if module in sys.modules:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


class Terminated(SystemExit):
    """SIGINT or SIGTERM, raised in the main thread (not an `Exception`, so no `except Exception` on
    the way swallows it; the collect flow marks its collection failed on the way out).

    A `SystemExit` because asyncio lets only SystemExit and KeyboardInterrupt out of a callback:
    any other BaseException raised while the portal client's event loop runs a callback (a byte
    of a dripping page arriving) is logged by the loop and dropped, and the collection would go
    on until its deadline. Not KeyboardInterrupt: Typer would turn that into a silent exit 130.
    `main` catches it before it can exit the process with the signal's name as the code."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated("SIGINT (Ctrl-C)" if signum == signal.SIGINT else signal.Signals(signum).name)


def _stopped_line(problem: Terminated) -> str:
    name = problem.args[0] if problem.args else "a signal"
    return (
        f"unionflow: error: stopped by {name}; what was already saved is kept (an interrupted "
        "collection is marked failed) and a re-run resumes"
    )


def _release_frames(problem: BaseException | None) -> None:
    """Let go of everything a failed run's exception keeps alive.

    Prefect keeps a failed task's exception in its result record for the rest of the process;
    through its traceback it keeps the frames of the step that failed, and a frame keeps its
    function, whose closure holds the step's DuckDB connection: DuckDB's bindings then report
    "nanobind: leaked … instances" at exit. Once its one line is printed, nothing needs the
    traceback, so every exception of the chain drops it (clearing the frames' locals first).
    """
    pending, seen = [problem], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current.__traceback__ = None
        pending += [current.__cause__, current.__context__]


def main() -> None:
    """Console-script entry point: run the app; every mistake is one line on stderr.

    A usage error (unknown option, bad value) and our user errors (a refusal, a missing file, a
    locked warehouse, a bad config) print `unionflow: error: …` and exit 2; `--debug` shows the
    traceback instead. The process exits *outside* the except block: inside it, the traceback
    would keep the DuckDB connection of a failed step alive until interpreter shutdown.
    """
    # Typer vendors Click (0.29+): its usage errors are these classes, not `click`'s.
    from typer._click import exceptions as click

    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    apply_quiet_defaults(debug=debug)
    message, code = None, 2
    # SIGINT and SIGTERM end a run with one line (signal handlers can only be set in the main thread).
    in_main = threading.current_thread() is threading.main_thread()
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {stop: signal.signal(stop, _terminate) for stop in stops} if in_main else {}
    try:
        returned = app(prog_name="unionflow", standalone_mode=False)
        code = returned if isinstance(returned, int) else 0
    except click.NoArgsIsHelpError as shown:
        shown.show()  # the group's help, as Typer would print it
        code = shown.exit_code
    except click.UsageError as problem:
        if debug:
            raise
        where = f" (see `{problem.ctx.command_path} --help`)" if problem.ctx is not None else ""
        message = f"unionflow: error: {_one_line(problem.format_message())}{where}"
        code = problem.exit_code
    except click.ClickException as problem:
        message, code = f"unionflow: error: {_one_line(problem.format_message())}", problem.exit_code
    except typer.Abort:
        message, code = "unionflow: aborted", 1
    except Terminated as problem:
        if debug:
            raise
        message = _stopped_line(problem)
        _release_frames(problem)
    except Exception as problem:
        # The error classes are looked up only now, so `unionflow --help` imports nothing heavy.
        # OSError: an output path that is a file, a folder without write permission, a full disk.
        if debug or not isinstance(problem, (*_user_errors(), OSError)):
            raise
        if isinstance(problem, OSError) and problem.filename is not None and problem.strerror:
            message = f"unionflow: error: {problem.strerror}: {problem.filename}"
        else:
            steps = problem.next_steps if isinstance(problem, Refusal) else ()
            message = f"unionflow: error: {_one_line(worded(str(problem), steps))}"
        _release_frames(problem)
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
    if message is not None:
        gc.collect()
        errors.print(message, highlight=False, soft_wrap=True, markup=False)
    sys.exit(code)


def _one_line(text: str) -> str:
    return " ".join(text.split())
