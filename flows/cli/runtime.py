"""The one place that decides where a command's flow runs go (issue 15).

With `PREFECT_API_URL` set, flow runs go to that server (after one /health probe with a short
deadline). Otherwise the command starts its own temporary API server (`flows.warm_start`) at the
moment it knows it will run a flow, i.e. after its refusals (`flows.cli.checks`), and imports the
flow's code while the server boots. Either way a server that cannot be reached is one line
(`TemporaryApiError`, exit 2), never Prefect's start-up traceback; Prefect's ephemeral server
is never used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.warm_start import (
    CONFIGURED_TIMEOUT_SECONDS,
    TemporaryApi,
    TemporaryApiError,
    configured_api_url,
    flow_runs_on,
    wait_for_api,
)


def startup_timeout() -> float:
    """Seconds a temporary server may take to boot: $UNIONFLOW_PREFECT_STARTUP_SECONDS or 180."""
    from flows.warm_start import STARTUP_TIMEOUT_SECONDS

    value = os.environ.get("UNIONFLOW_PREFECT_STARTUP_SECONDS", "")
    try:
        return max(1.0, float(value)) if value else STARTUP_TIMEOUT_SECONDS
    except ValueError:
        return STARTUP_TIMEOUT_SECONDS


@dataclass
class FlowRuntime:
    """The Prefect API of one command: a configured URL, or a temporary server it owns."""

    configured: str | None
    api: TemporaryApi | None

    @contextmanager
    def running(self) -> Iterator[None]:
        """Flow runs inside this block go to the chosen API, which is waited for first."""
        if self.configured is not None:
            wait_for_api(self.configured, CONFIGURED_TIMEOUT_SECONDS)
            yield
            return
        assert self.api is not None
        self.api.wait_until_ready(startup_timeout())
        with flow_runs_on(self.api):
            yield


@contextmanager
def flow_runtime(log: Path | None = None) -> Iterator[FlowRuntime]:
    """Choose the Prefect API now; a temporary server starts booting at once and stops at the end.

    Its log goes to `log`, or to a temporary folder that is removed unless the server failed
    to start (the error names the log).
    """
    url = configured_api_url()
    if url is not None:
        yield FlowRuntime(url, None)
        return
    folder = None
    if log is None:
        folder = Path(tempfile.mkdtemp(prefix="unionflow-prefect-"))
        log = folder / "prefect-server.log"
    api = TemporaryApi.start(log)
    keep_log = False
    try:
        yield FlowRuntime(None, api)
    except TemporaryApiError:
        keep_log = True
        raise
    finally:
        api.stop()
        if folder is not None and not keep_log:
            shutil.rmtree(folder, ignore_errors=True)
