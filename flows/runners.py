"""Where a flow's tasks run: Prefect's default thread pool, or a Dask cluster (prefect-dask)."""

from __future__ import annotations

from typing import Any

RUNNERS = ("default", "dask")


class RunnerError(ValueError):
    """A runner the user asked for cannot be used (exit code 2)."""


def current_api_url() -> str:
    """The Prefect API this process talks to, starting the ephemeral server if that is the mode."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if url:
        return str(url)
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return str(client.api_url)


def task_runner(runner: str = "default", dask_address: str | None = None, workers: int = 2) -> Any:
    """The Prefect task runner for `runner`.

    `dask` with an address connects to an existing cluster (`tcp://host:8786`), whose workers need
    unionflow installed and a Prefect server they can reach (`PREFECT_API_URL`); without an address
    it starts a local cluster of `workers` processes that report to this process's Prefect API.
    """
    if runner == "default":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    raise RunnerError(f"unknown runner {runner!r}; choose one of {', '.join(RUNNERS)}")
