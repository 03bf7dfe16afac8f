"""A Prefect API server for one process's flow runs, started before anything else.

Without a configured Prefect API, Prefect starts a temporary server on the first flow run and
waits for it: most of an empty flow run's wall time (about 4 s to import the server's code in
this process, then about 8 s for the server process to boot). `unionflow demo` instead starts
`prefect server start` as its very first act and only waits for it just before the first flow
run, so the boot overlaps with importing, synthesising the year and starting the reference
portal. The server is stopped when the demo ends, as Prefect's own temporary server would be.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Only the API: no UI to serve, and no scheduler, late-run or other services, since nothing
#: outlives this process to need them.
SERVER_COMMAND = (
    sys.executable, "-m", "prefect", "server", "start", "--no-ui", "--no-services", "--analytics-off"
)  # fmt: skip

#: How long to wait for the server to answer /health before giving up. Idle, it boots in about
#: 8 s; a 2-core machine loaded by other work can take several times that.
STARTUP_TIMEOUT_SECONDS = 180.0

#: How long a configured server (PREFECT_API_URL) has to answer /health before a command gives up.
CONFIGURED_TIMEOUT_SECONDS = 5.0


class TemporaryApiError(RuntimeError):
    """The Prefect API server did not start, or a configured one does not answer."""


@dataclass
class TemporaryApi:
    """A `prefect server start` process on a free 127.0.0.1 port, owned by this process."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @classmethod
    def start(cls, log: Path, database: Path | None = None) -> TemporaryApi:
        """Start the server in the background (its output goes to `log`); returns at once.

        `database` is a SQLite file of its own (tests: one per run); by default the server uses
        Prefect's usual database under PREFECT_HOME, already migrated after the first use.
        """
        port = _free_port()
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)  # the server must not try to be a client of another one
        if database is not None:
            env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{database}"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*SERVER_COMMAND, "--host", "127.0.0.1", "--port", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                # Its own process group, so stopping it also stops the web server it starts.
                start_new_session=True,
                env=env,
                preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
            )
        return cls(process=process, url=f"http://127.0.0.1:{port}/api", log=log)

    def wait_until_ready(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        """Block until the server answers /health; TemporaryApiError if it exits or times out."""
        wait_for_api(self.url, timeout, self)

    def stop(self) -> None:
        """Stop the server (and the web server it started), waiting a little for a clean exit."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def wait_for_api(url: str, timeout: float, server: TemporaryApi | None = None) -> None:
    """Block until the Prefect API at `url` answers /health, at most `timeout` seconds.

    TemporaryApiError (one line, naming the server's log) when `server` exits first or the
    deadline passes; a configured server (no `server`) is named by its address.
    """
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while True:
            if server is not None and server.process.poll() is not None:
                raise TemporaryApiError(
                    f"the temporary Prefect API server exited with code {server.process.returncode}; "
                    f"see {server.log}"
                )
            try:
                if client.get(f"{url.rstrip('/')}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() >= deadline:
                break
            time.sleep(0.1)
    if server is None:
        raise TemporaryApiError(
            f"the Prefect API at {url} (PREFECT_API_URL) did not answer within {timeout:.0f} s; "
            "start it, or unset PREFECT_API_URL to let unionflow start a temporary one"
        )
    raise TemporaryApiError(
        f"the temporary Prefect API server did not answer within {timeout:.0f} s; see {server.log} "
        "(on a busy machine, run `prefect server start` once and set PREFECT_API_URL)"
    )


def _stop_with_parent() -> None:
    """In the server's process, before it starts: ask Linux to end it when its parent dies, so a
    command killed by a signal (which skips `stop()`) leaves no server behind."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def configured_api_url() -> str | None:
    """The Prefect API flow runs go to when one is configured, else None.

    `PREFECT_API_URL` in the environment, else in the active Prefect profile (`prefect config set
    PREFECT_API_URL=…`, docs/operations.md), read from the profiles file: deciding costs no
    Prefect import. Once Prefect is imported its settings count too.
    """
    url = os.environ.get("PREFECT_API_URL") or _profile_api_url()
    if not url and "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        url = PREFECT_API_URL.value()
    return url or None


def _profile_api_url() -> str | None:
    import tomllib

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    value = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value) if value else None


def api_configured() -> bool:
    """True when flow runs go to a configured Prefect API (PREFECT_API_URL)."""
    return configured_api_url() is not None


@contextmanager
def temporary_api(log: Path) -> Iterator[TemporaryApi | None]:
    """A temporary API server for this block, started now; None when an API is configured."""
    if api_configured():
        yield None
        return
    api = TemporaryApi.start(log)
    try:
        yield api
    finally:
        api.stop()


@contextmanager
def flow_runs_on(api: TemporaryApi | None) -> Iterator[None]:
    """Flow runs inside this block go to `api` (once it is ready) and send no heartbeats.

    Heartbeats let a lasting server's automations mark crashed runs; this server ends with the
    process, so nobody reads them. Each flow run otherwise ends by joining its heartbeat thread,
    which sleeps in 1 s steps: up to 1 s per flow run, six per annual run.

    Prefect's event and log services are started here, outside any run. A service's long-lived
    asyncio task keeps the contextvars of whoever started it (Prefect issue #10338); without
    heartbeats the first sender would be a task run, whose parameters (the warehouse connection)
    would then live until exit, and DuckDB reports them as leaked. They are drained on the way
    out, while the server still listens. With a configured API (`api` None), nothing changes.
    """
    if api is None:
        yield
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_LOGGING_TO_API_ENABLED,
        temporary_settings,
    )

    api.wait_until_ready()
    with temporary_settings(updates={PREFECT_API_URL: api.url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        services: list[type[EventsWorker] | type[APILogWorker]] = [EventsWorker]
        if PREFECT_LOGGING_TO_API_ENABLED.value():
            services.append(APILogWorker)
        for service in services:
            service.instance()
        try:
            yield
        finally:
            for service in services:
                service.drain_all(timeout=10, at_exit=False)


def import_validation_libraries() -> None:
    """Import Great Expectations and pandera's pandas backend now (about 5 s together).

    `unionflow demo` calls this while the temporary API server boots, so the imports cost
    nothing on the way to the first flow run.
    """
    import great_expectations  # noqa: F401
    import pandas as pd
    import pandera.pandas as pa

    # pandera registers and imports its pandas backend on the first validation.
    pa.DataFrameSchema({"warm": pa.Column(int)}).validate(pd.DataFrame({"warm": [1]}))
