"""Running the `unionflow` command line in-process, exactly as the console script does.

`flows.cli.main.main()` is called with `sys.argv` set, inside Click's test isolation (captured
stdout and stderr), so a test sees the real exit code and the one line a user mistake prints,
without a subprocess per command.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from click.testing import CliRunner


@dataclass(frozen=True)
class Outcome:
    """What one command did: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str


def unionflow(*args: str) -> Outcome:
    """Run `unionflow ARGS…` in this process; returns its exit code, stdout and stderr."""
    from flows.cli.main import main

    runner = CliRunner()
    with runner.isolation() as (out, err, _):
        saved, sys.argv = sys.argv, ["unionflow", *args]
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        finally:
            sys.argv = saved
        return Outcome(
            code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
        )
