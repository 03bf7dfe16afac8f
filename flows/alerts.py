"""Failure alerts: a Prefect state hook that POSTs a JSON notification to a webhook.

Attach it to a flow with `@flow(on_failure=[notify_failure], on_crashed=[notify_failure])`. The
webhook URL comes from env `UNIONFLOW_ALERT_WEBHOOK` of the process running the flow (for
deployments: the worker's environment, which its flow-run processes inherit). Without it the hook
only logs. A hook must never raise: an exception there would hide the flow's own failure, so every
problem with the alert itself is logged and swallowed.

The payload carries what an administrator needs to act (flow, error, year, link to the run) and
nothing secret: parameters other than the year are left out, and the portal token is masked if it
appears in an error message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from typing import Any

WEBHOOK_ENV = "UNIONFLOW_ALERT_WEBHOOK"
SECRET_ENVS = ("UNIONFLOW_PORTAL_TOKEN",)
TIMEOUT_SECONDS = 10.0
MAX_ERROR_CHARS = 2000


def _logger() -> logging.Logger:
    # Under Prefect's logger tree, so the lines also reach the run's logs in the UI when possible.
    from prefect.logging import get_logger

    return get_logger("unionflow.alerts")


def _year_of(parameters: Mapping[str, Any], when: dt.datetime | None) -> int | str | None:
    """The run's year: a top-level `year` parameter, or `year` inside a parameter model.

    A relative year (`previous`, `cycle`) is resolved the way the flow resolves it, at the run's
    expected start.
    """
    candidates: list[Any] = [parameters.get("year")]
    candidates += [value.get("year") for value in parameters.values() if isinstance(value, Mapping)]
    year = next((value for value in candidates if value is not None), None)
    if isinstance(year, str):
        from flows.parameters import resolve_year

        try:
            return resolve_year(year, when)
        except ValueError:
            return year
    return year if isinstance(year, int) else None


def _mask_secrets(text: str) -> str:
    for name in SECRET_ENVS:
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def run_link(flow_run_id: str) -> str:
    """Where a person can see the run: the UI page, else the API resource, else just the id."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    ui_url = settings.ui_url
    if ui_url:
        return f"{str(ui_url).rstrip('/')}/runs/flow-run/{flow_run_id}"
    api_url = settings.api.url
    if api_url:
        return f"{str(api_url).rstrip('/')}/flow_runs/{flow_run_id}"
    return f"flow run {flow_run_id}"


def failure_payload(flow_name: str, flow_run: Any, state: Any) -> dict[str, Any]:
    """The JSON document of one failure notification."""
    run_id = str(flow_run.id)
    when = getattr(flow_run, "expected_start_time", None) or getattr(flow_run, "start_time", None)
    message = _mask_secrets(str(getattr(state, "message", None) or "no error message"))
    return {
        "event": "unionflow.flow-run.failed",
        "flow": flow_name,
        "flow_run_id": run_id,
        "flow_run_name": getattr(flow_run, "name", None),
        "deployment_id": str(flow_run.deployment_id) if getattr(flow_run, "deployment_id", None) else None,
        "state": getattr(state, "name", None),
        "error": message[:MAX_ERROR_CHARS],
        "year": _year_of(getattr(flow_run, "parameters", None) or {}, when),
        "link": run_link(run_id),
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def send_alert(payload: Mapping[str, Any], webhook: str | None = None) -> bool:
    """POST `payload` to the webhook (default: env UNIONFLOW_ALERT_WEBHOOK); True when delivered.

    Never raises: a broken alert channel is logged, not allowed to mask what it reports.
    """
    url = webhook or os.environ.get(WEBHOOK_ENV)
    if not url:
        _logger().warning("no %s configured; alert not sent: %s", WEBHOOK_ENV, dict(payload))
        return False
    try:
        import httpx

        response = httpx.post(url, json=dict(payload), timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except Exception as problem:  # any failure of the channel: log it, never raise from a hook
        _logger().error("alert to the webhook failed (%s): %s", type(problem).__name__, problem)
        return False
    return True


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect `on_failure` / `on_crashed` hook: send the failure notification, never raise."""
    try:
        payload = failure_payload(getattr(flow, "name", str(flow)), flow_run, state)
    except Exception as problem:  # a malformed run object must not break the hook either
        _logger().error("could not build the failure alert: %s", problem)
        return
    send_alert(payload)
