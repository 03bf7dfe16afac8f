"""Process-wide defaults applied when the command line starts (never at import time)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

QUIET_DEFAULTS = {
    # Prefect and Great Expectations phone home by default; this machine has no network anyway.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def apply_quiet_defaults(*, debug: bool = False) -> None:
    """Set environment defaults the user has not set already.

    The CLI prints its own progress and turns user mistakes into one line; Prefect's own console
    logging (task-by-task lines, and the traceback of a flow that stopped on a user mistake) is
    only shown with --debug. Deployments run by a worker keep Prefect's logging for the UI.
    """
    for name, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if debug else "CRITICAL")


def default_db() -> Path:
    """SPEC section 3: `--db` defaults to env UNIONFLOW_DB, else ./unionflow.duckdb."""
    return Path(os.environ.get("UNIONFLOW_DB") or "unionflow.duckdb")


def current_user() -> str:
    """Who is recorded in audit rows when nobody is named: $UNIONFLOW_USER, else the login name.

    The one resolution of a steward's identity: the CLI's `--by` falls back to it, and so does
    a flow that records a decision (e.g. a forced final publication).
    """
    try:
        return os.environ.get("UNIONFLOW_USER", "").strip() or getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"
