"""The `unionflow` command line (SPEC section 3): the root app and the console-script entry point.

Commands live one group per module (`pipeline`, `assign`, `stewardship`, `publication`,
`operations`, `portal`), sharing the options of `flows.cli.options`; this module assembles them.
User mistakes (bad flag, missing file, locked warehouse, bad config) end with one line on stderr
and exit code 2; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import gc
import sys
import traceback

import typer

from flows.cli import assign, decision, operations, pipeline, publication, stewardship
from flows.cli.options import UsageProblem, errors
from flows.cli.portal import portal_app
from flows.settings import apply_quiet_defaults

app = typer.Typer(
    name="unionflow",
    help="Annual mutual-review assessment of trade-union reform pilot units.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
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


def _user_errors() -> tuple[type[BaseException], ...]:
    # Imported here so `unionflow --help` stays fast.
    from flows.warm_start import TemporaryApiError
    from unionflow.assessment import AllocationInfeasible, ConfigError
    from unionflow.sources.payloads import SourceError
    from warehouse.connection import WarehouseError

    return (
        UsageProblem,
        SourceError,
        WarehouseError,
        ConfigError,
        AllocationInfeasible,
        FileNotFoundError,
        TemporaryApiError,
    )


def _release_frames(problem: BaseException | None) -> None:
    # Prefect keeps a failed run's exception; its frames hold the step's DuckDB connection, which
    # DuckDB's bindings would report as leaked at exit. Clearing the frames' locals lets it go.
    seen = set()
    while problem is not None and id(problem) not in seen:
        seen.add(id(problem))
        traceback.clear_frames(problem.__traceback__)
        problem = problem.__cause__ or problem.__context__


def main() -> None:
    """Console-script entry point: run the app, turning user mistakes into exit code 2.

    Typer handles its own usage errors (exit 2). Our user errors are caught here and the process
    exits *outside* the except block: inside it, the traceback would keep the DuckDB connection
    of the failed step alive until interpreter shutdown.
    """
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    apply_quiet_defaults(debug=debug)
    message = None
    try:
        app()
    except _user_errors() as problem:
        if debug:
            raise
        message = f"unionflow: error: {problem}"
        _release_frames(problem)
    if message is not None:
        gc.collect()
        errors.print(message, highlight=False, soft_wrap=True)
        sys.exit(2)
