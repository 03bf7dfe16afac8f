"""`unionflow portal serve DIR`: run the reference portal in the foreground."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

portal_app = typer.Typer(
    help="The reference portal (SPEC section 6) serving a source folder.", no_args_is_help=True
)


@portal_app.callback()
def _group() -> None:
    """The reference portal (SPEC section 6)."""
    # A callback keeps `serve` a named subcommand even while it is the only one.


_out = Console()
_err = Console(stderr=True)


@portal_app.command("serve")
def serve(
    directory: Annotated[Path, typer.Argument(help="Source folder to serve (units, submissions/, reviews).")],
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults", help='Fault spec, e.g. "429=0.1,503=0.05,drop=0.05,seed=7" (docs/portal.md).'
        ),
    ] = None,
    token_env: Annotated[
        str, typer.Option("--token-env", help="Environment variable holding the bearer token.")
    ] = "UNIONFLOW_PORTAL_TOKEN",  # noqa: S107 - the name of a variable, not a token
) -> None:
    """Serve DIR until Ctrl-C. The token comes from the environment and is never printed."""
    from unionflow.portal.faults import FaultPlan, FaultSpecError
    from unionflow.portal.server import bind_socket, make_server

    token = os.environ.get(token_env, "")
    if not token:
        _err.print(
            f"unionflow portal: error: no token: set {token_env} to the bearer token clients must send"
        )
        raise typer.Exit(2)
    if not directory.is_dir():
        _err.print(f"unionflow portal: error: source folder {directory} does not exist", highlight=False)
        raise typer.Exit(2)
    try:
        plan = FaultPlan.parse(faults)
    except FaultSpecError as problem:
        _err.print(f"unionflow portal: error: --faults: {problem}", highlight=False)
        raise typer.Exit(2) from None
    try:
        sock = bind_socket(host, port)
    except OSError as problem:
        _err.print(
            f"unionflow portal: error: cannot listen on {host}:{port}: {problem.strerror}", highlight=False
        )
        raise typer.Exit(2) from None
    server = make_server(directory, token, plan)
    url = f"http://{host}:{sock.getsockname()[1]}"
    note = f" with faults {faults}" if plan.active else ""
    _out.print(f"portal serving {directory} at {url}{note} (Ctrl-C to stop)", highlight=False, soft_wrap=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down cleanly, then re-raises the Ctrl-C it caught; stopping is the normal end.
        pass
    finally:
        sock.close()
    _out.print("portal stopped", highlight=False)
