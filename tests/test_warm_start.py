"""Starting Prefect's temporary API server early (unionflow demo)."""

from __future__ import annotations

from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.warm_start import start_temporary_api


def test_nothing_is_started_when_a_prefect_server_is_configured() -> None:
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        assert start_temporary_api() is None
