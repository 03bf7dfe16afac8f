"""Starting Prefect's temporary API server early, while other start-up work runs."""

from __future__ import annotations

import threading


def start_temporary_api() -> threading.Thread | None:
    """Start Prefect's temporary (ephemeral) API server in a background thread; join the thread
    before the first flow runs. None when a Prefect API URL is configured (nothing to start).

    The first flow run of a process otherwise starts that server itself and waits for it: most of
    an empty flow run's wall time. `unionflow demo` starts it before synthesising the year and
    starting the reference portal, so the two waits overlap.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None

    def start() -> None:
        from prefect.server.api.server import SubprocessASGIServer

        SubprocessASGIServer().start()

    thread = threading.Thread(target=start, name="prefect-temporary-api", daemon=True)
    thread.start()
    return thread


def import_validation_libraries() -> None:
    """Import Great Expectations and pandera's pandas backend now (about 5 s together).

    `unionflow demo` calls this while Prefect's temporary API server is still starting, so the
    imports cost nothing on the way to the first flow run.
    """
    import great_expectations  # noqa: F401
    import pandas as pd
    import pandera.pandas as pa

    # pandera registers and imports its pandas backend on the first validation.
    pa.DataFrameSchema({"warm": pa.Column(int)}).validate(pd.DataFrame({"warm": [1]}))
