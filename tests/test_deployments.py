"""prefect.yaml and its entry points, without a server (fast); plus one backfill run (slow).

Prefect drops keys it does not know in prefect.yaml without a word, so the file is checked here
against Prefect's own model of a deployment, and tests/test_prefect_server.py reads the deployments
back from a real server.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect import Flow
from prefect.exceptions import ParameterTypeError, SignatureMismatchError
from prefect.flows import load_flow_from_entrypoint

from flows.deployments import DEPLOYMENT_FLOWS
from flows.parameters import resolve_year

REPO = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    return yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deployments(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in project["deployments"]}


def test_the_spec_deployments_are_all_there(deployments: dict[str, dict[str, Any]]) -> None:
    assert set(deployments) == {"collect", "validate", "annual-assessment", "publish", "rescore"}


def test_every_entrypoint_imports_and_is_a_prefect_flow(deployments: dict[str, dict[str, Any]]) -> None:
    for name, deployment in deployments.items():
        loaded = load_flow_from_entrypoint(deployment["entrypoint"])
        assert isinstance(loaded, Flow), name
        assert loaded.on_failure_hooks, f"{name}: failures must raise an alert"


def test_prefect_knows_every_key_we_wrote(deployments: dict[str, dict[str, Any]]) -> None:
    # Prefect's own schema of a prefect.yaml deployment; an unknown key would be silently dropped.
    from prefect.cli.deploy._models import ConcurrencyLimitSpec, DeploymentConfig, RawScheduleConfig

    known = set(DeploymentConfig.model_fields)
    for name, deployment in deployments.items():
        assert set(deployment) <= known, f"{name}: {set(deployment) - known}"
        assert set(deployment["concurrency_limit"]) <= set(ConcurrencyLimitSpec.model_fields), name
        for schedule in deployment["schedules"]:
            RawScheduleConfig.model_validate(schedule)  # extra="forbid": a typo would raise


def test_the_rescore_trigger_uses_only_keys_prefect_knows_and_passes_year_and_warehouse(
    deployments: dict[str, dict[str, Any]],
) -> None:
    # A deployment trigger ignores unknown keys too (a misspelt `expect` would match every event).
    from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

    from flows.events import DECISION_EVENT

    (trigger,) = deployments["rescore"]["triggers"]
    assert set(trigger) <= set(DeploymentEventTrigger.model_fields), set(trigger) - set(
        DeploymentEventTrigger.model_fields
    )
    assert trigger["expect"] == [DECISION_EVENT]
    assert trigger["match"] == {"prefect.resource.id": "unionflow.year.*"}
    assert trigger["parameters"] == {"year": "{{ event.payload.year }}", "db": "{{ event.payload.db }}"}


def test_schedules_are_in_shanghai_time_and_publish_is_manual(deployments: dict[str, dict[str, Any]]) -> None:
    crons = {name: [s["cron"] for s in d["schedules"]] for name, d in deployments.items()}
    assert crons == {
        "collect": ["0 2 * 12,1 *"],
        "validate": ["0 3 * 12,1 *"],
        "annual-assessment": ["0 9 20 1 *"],
        "publish": [],
        "rescore": [],  # event-triggered only
    }
    for deployment in deployments.values():
        assert all(s["timezone"] == "Asia/Shanghai" for s in deployment["schedules"])


def test_one_writer_at_a_time(deployments: dict[str, dict[str, Any]]) -> None:
    for name, deployment in deployments.items():
        assert deployment["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}, name
        assert deployment["work_pool"]["name"] == "unionflow-process", name


def test_the_yaml_parameters_fit_the_flows_strict_signatures(deployments: dict[str, dict[str, Any]]) -> None:
    for name, deployment in deployments.items():
        params = dict(deployment["parameters"])
        if name in ("publish", "rescore"):
            assert "year" not in params  # manual runs, and the trigger, must name the year
            params["year"] = 2025
        DEPLOYMENT_FLOWS[name].validate_parameters(params)
    assert deployments["annual-assessment"]["parameters"]["year"] == "previous"


def test_the_parameters_are_flat_so_a_run_overriding_one_keeps_the_others(
    deployments: dict[str, dict[str, Any]],
) -> None:
    # Prefect merges a run's parameters into the deployment's key by key.
    defaults = deployments["annual-assessment"]["parameters"]
    assert all(not isinstance(value, dict) for value in defaults.values())
    merged = DEPLOYMENT_FLOWS["annual-assessment"].validate_parameters({**defaults, "year": 2024})
    assert (
        merged["year"] == 2024 and merged["source"] == "inbox/{year}" and merged["db"] == "unionflow.duckdb"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "2025", "source": "in", "out": "out"}, "- year.constrained-int:"),
        ({"year": 2025, "source": "in", "out": "out", "budjet": 900000}, "'budjet'"),
        ({"source": "in", "out": "out"}, "- year: Field required"),
        ({"year": 1999, "source": "in", "out": "out"}, "- year.constrained-int:"),
        ({"year": "last", "source": "in", "out": "out"}, "- year.literal['previous']:"),
        ({"year": 2025, "source": "in", "out": "out", "budget": "1000000"}, "- budget"),
        ({"year": 2025, "source": "", "out": "out"}, "- source:"),
    ],
)
def test_a_bad_parameter_fails_with_a_message_naming_the_field(params: dict[str, Any], message: str) -> None:
    from flows.deployments import annual_deployment

    # A key the flow does not take is Prefect's signature mismatch, naming the key.
    with pytest.raises((ParameterTypeError, SignatureMismatchError)) as problem:
        annual_deployment.validate_parameters(params)
    assert message in str(problem.value)


def test_publish_takes_no_relative_year() -> None:
    from flows.deployments import publish_deployment

    with pytest.raises(ParameterTypeError, match=r"- year: Input should be a valid integer"):
        publish_deployment.validate_parameters({"year": "previous", "out": "out"})


def test_parameters_arriving_as_json_validate() -> None:
    from flows.deployments import collect_deployment

    raw = json.loads('{"year": "cycle", "source": "inbox/{year}", "db": "w.duckdb"}')
    validated = collect_deployment.validate_parameters(raw)
    assert validated == {
        "year": "cycle",
        "source": "inbox/{year}",
        "db": "w.duckdb",
        "lock_wait_seconds": 1800,
        "deadline": None,
    }


@pytest.mark.parametrize(
    ("moment", "spec", "year"),
    [
        (dt.datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI), "previous", 2025),
        # 31 Dec 17:30 UTC is already 1 January in Shanghai.
        (dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC), "previous", 2025),
        (dt.datetime(2025, 12, 31, 15, 30, tzinfo=dt.UTC), "previous", 2024),
        (dt.datetime(2025, 12, 2, 2, 0, tzinfo=SHANGHAI), "cycle", 2025),
        (dt.datetime(2026, 1, 10, 2, 0, tzinfo=SHANGHAI), "cycle", 2025),
        (dt.datetime(2026, 1, 10, 2, 0, tzinfo=SHANGHAI), 2023, 2023),
    ],
)
def test_relative_years_resolve_in_shanghai(moment: dt.datetime, spec: int | str, year: int) -> None:
    assert resolve_year(spec, moment) == year


def test_backfill_plans_one_subfolder_per_year_and_checks_them_all_first(tmp_path: Path) -> None:
    from flows.backfill import year_sources
    from unionflow.sources.payloads import SourceError

    for year in (2021, 2022):
        (tmp_path / str(year)).mkdir()
    plans = year_sources(2021, 2022, str(tmp_path), str(tmp_path / "out"))
    assert [(p.year, p.source, p.out) for p in plans] == [
        (2021, str(tmp_path / "2021"), str(tmp_path / "out" / "2021")),
        (2022, str(tmp_path / "2022"), str(tmp_path / "out" / "2022")),
    ]
    with pytest.raises(SourceError, match="2023"):
        year_sources(2021, 2023, str(tmp_path), "out")
    portal = year_sources(2021, 2023, "http://portal:8000", "out/{year}/files")
    assert [p.source for p in portal] == ["http://portal:8000"] * 3
    assert portal[0].out == "out/2021/files"
    with pytest.raises(SourceError, match="after"):
        year_sources(2023, 2021, str(tmp_path), "out")


@pytest.mark.slow
def test_backfill_runs_each_year_in_order(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from flows.cli.operations import backfill_command
    from unionflow.synth import synthesize
    from warehouse.connection import open_warehouse
    from warehouse.sql import run

    for year in (2024, 2025):
        synthesize(tmp_path / "source" / str(year), units=40, year=year, seed=11)
    import typer

    app = typer.Typer()
    app.command()(backfill_command)
    db = tmp_path / "w.duckdb"
    source, out = str(tmp_path / "source"), str(tmp_path / "out")
    result = CliRunner().invoke(
        app, ["--from", "2024", "--to", "2025", "--source", source, "--out", out, "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert "2024: published allocation run 1" in result.output
    assert "2025: published allocation run 2" in result.output
    for year in (2024, 2025):
        assert (tmp_path / "out" / str(year) / "allocations.csv").is_file()
    with open_warehouse(db, read_only=True) as conn:
        runs = run(conn, "select year, status from allocation_runs order by allocation_run_id")
    assert runs == [(2024, "published"), (2025, "published")]


def test_the_validate_wrapper_matches_the_validate_flow_signature() -> None:
    import inspect

    module = pytest.importorskip("flows.validate")  # written separately; not run here
    assert {"year", "db", "docs"} <= set(inspect.signature(module.validate.fn).parameters)
