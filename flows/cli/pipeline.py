"""The pipeline commands: `collect`, `score`, `allocate`, `publish`, `run` and `demo`.

Each checks its arguments, then runs its flow; user mistakes raise errors that `flows.cli.main`
turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.checks import (
    check_allocatable,
    check_publishable,
    check_scorable,
    check_source,
    writable,
)
from flows.cli.options import (
    BudgetOption,
    CapOption,
    ConfigOption,
    DaskOption,
    DbOption,
    FloorOption,
    Lang,
    LangOption,
    OutOption,
    PartitionsOption,
    PushOption,
    Runner,
    RunnerOption,
    SourceOption,
    Stage,
    StepOption,
    SupersedeOption,
    UsageProblem,
    YearOption,
    checked_config,
    checked_lang,
    console,
    db_path,
    errors,
)
from flows.cli.progress import PIPELINE, stage_progress
from flows.cli.runtime import flow_runtime

app = typer.Typer()


@app.command()
def collect(
    year: YearOption,
    source: SourceOption,
    db: DbOption = None,
    deadline: Annotated[
        str | None,
        typer.Option(help="Submission deadline, ISO 8601 with offset [default: 15 Jan next year]."),
    ] = None,
) -> None:
    """Collect a year's units, submissions and reviews, validate them and load the warehouse."""
    check_source(source)
    writable(db_path(db))
    with flow_runtime() as runtime:
        from flows.collect import collect as collect_flow

        with runtime.running(), stage_progress(console, ("collect",)):
            results = collect_flow(year=year, source=source, db=str(db_path(db)), deadline=deadline)
    for reconciliation in results:
        console.print(reconciliation.line(), highlight=False, soft_wrap=True)
    _print_files_line(source, db_path(db))


def _print_files_line(source: str, db: Path) -> None:
    """The files line after the record lines of a folder collection (issue 14)."""
    from unionflow.sources.location import is_portal
    from warehouse.collections import file_reconciliation
    from warehouse.connection import open_warehouse

    if is_portal(source):
        return
    with open_warehouse(db, read_only=True) as conn:
        files = file_reconciliation(conn)
    if files is not None:
        console.print(files.line(), highlight=False, soft_wrap=True)


@app.command()
def score(year: YearOption, db: DbOption = None, config: ConfigOption = None) -> None:
    """Score the year's pilot units (indicator, peer, bonus, total, ranks, grades)."""
    config_path = checked_config(config)
    check_scorable(db_path(db), year)
    with flow_runtime() as runtime:
        from flows.score import score as score_flow

        with runtime.running(), console.status(f"scoring {year} …"):
            outcome = score_flow(year=year, db=str(db_path(db)), config=config_path)
    state = "unchanged inputs, kept" if outcome.reused else "stored"
    console.print(
        f"score run {outcome.score_run_id} {state}: {outcome.scored} of {outcome.units} units scored, "
        f"{outcome.flags} review flags (config {outcome.config_hash[:12]}, inputs {outcome.input_hash[:12]})",
        highlight=False,
    )


@app.command()
def allocate(
    year: YearOption,
    db: DbOption = None,
    config: ConfigOption = None,
    budget: BudgetOption = None,
    floor: FloorOption = None,
    cap: CapOption = None,
    step: StepOption = None,
) -> None:
    """Allocate the subsidy budget from the latest scores (a draft run)."""
    config_path = checked_config(config, budget, floor, cap, step)
    check_allocatable(db_path(db), year)
    with flow_runtime() as runtime:
        from flows.allocate import allocate as allocate_flow

        with runtime.running(), console.status(f"allocating {year} …"):
            outcome = allocate_flow(
                year=year,
                db=str(db_path(db)),
                config=config_path,
                budget=budget,
                floor=floor,
                cap=cap,
                step=step,
            )
    console.print(
        f"allocation run {outcome.allocation_run_id} (draft): {outcome.funded} units funded, "
        f"allocated {outcome.allocated:,} of {outcome.budget:,} CNY, unallocated {outcome.unallocated:,}",
        highlight=False,
    )
    reason = outcome.unallocated_reason
    if reason is not None:
        from unionflow.reports.catalogue import catalogue
        from unionflow.reports.leftover import leftover_sentence

        # The command's operational lines are English; the report says the same in both languages.
        sentence = leftover_sentence(outcome.unallocated, reason.code, reason.params, catalogue("en"))
        console.print(sentence, highlight=False, markup=False)


def report_blocked(publication: object) -> None:
    """Exit 1 with the list of critical validation failures that stopped publication."""
    failures = getattr(publication, "failures", [])
    errors.print(
        f"publication blocked by {len(failures)} critical validation failures (nothing was published):",
        highlight=False,
    )
    for line in failures:
        errors.print(f"  - {line}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def publish(
    year: YearOption,
    out: OutOption,
    db: DbOption = None,
    supersede: SupersedeOption = None,
    to: PushOption = None,
    stage: Annotated[
        Stage | None,
        typer.Option("--stage", help="notice: post the public notice (公示); final: publish after it."),
    ] = None,
    force: Annotated[
        str | None, typer.Option("--force", help="Reason to publish --stage final despite open objections.")
    ] = None,
    lang: LangOption = Lang.en,
    notice_config: Annotated[
        Path | None, typer.Option("--notice-config", help="TOML with [notice] objection_days, contact.")
    ] = None,
) -> None:
    """Publish the year's latest allocation: scores.csv, allocations.csv, quarantine.csv, report.html,
    report.xlsx and validation/ (or, with --stage notice, the public notice)."""
    stage_name = None if stage is None else str(stage)
    if force is not None and stage_name != "final":
        raise UsageProblem("--force only applies to --stage final")
    if notice_config is not None and not notice_config.is_file():
        raise UsageProblem(f"notice config {notice_config} does not exist")
    if notice_config is not None:
        from unionflow.reports.notice import load_notice_settings

        load_notice_settings(notice_config)
    language = checked_lang(lang)
    check_publishable(db_path(db), year, stage_name, supersede, force)
    with flow_runtime() as runtime:
        from flows.publish import publish as publish_flow

        with runtime.running(), console.status(f"publishing {year} …"):
            publication = publish_flow(
                year=year,
                out=str(out),
                db=str(db_path(db)),
                supersede=supersede,
                lang=language,
                stage=stage_name,
                force=force,
                to=to,
                notice_config=str(notice_config) if notice_config else None,
            )
    if publication.blocked:
        report_blocked(publication)
    if publication.stage == "notice":
        from flows.cli.publication import echo_notice

        echo_notice(db, year, defaults=notice_config is None)
    else:
        replaced = (
            f", superseding run {publication.superseded_run_id}" if publication.superseded_run_id else ""
        )
        console.print(f"published allocation run {publication.allocation_run_id}{replaced}", highlight=False)
        if to:
            console.print(f"pushed to {to}", highlight=False)
    for path in publication.files:
        console.print(f"  wrote {path}", highlight=False)


def print_validation_outcome(publication: object, out: Path) -> None:
    """The run's last word on validation: passed (with its warnings) and where Data Docs are."""
    warnings = list(getattr(publication, "warnings", []))
    console.print(f"validation passed; {len(warnings)} warnings", highlight=False)
    for line in warnings:
        console.print(f"  warning: {line}", highlight=False, soft_wrap=True, markup=False)
    docs = out / "validation" / "index.html"
    if docs.is_file():
        console.print(f"Data Docs: {docs.resolve()}", highlight=False)


@app.command("run")
def run_year(
    year: YearOption,
    source: SourceOption,
    out: OutOption = Path("out"),
    db: DbOption = None,
    config: ConfigOption = None,
    budget: BudgetOption = None,
    floor: FloorOption = None,
    cap: CapOption = None,
    step: StepOption = None,
    supersede: SupersedeOption = None,
    partitions: PartitionsOption = None,
    runner: RunnerOption = Runner.default,
    dask_address: DaskOption = None,
    lang: LangOption = Lang.en,
    to: PushOption = None,
) -> None:
    """The whole annual flow: collect, validate, load, score, allocate, publish."""
    config_path = checked_config(config, budget, floor, cap, step)
    language = checked_lang(lang)
    check_source(source)
    writable(db_path(db))
    with flow_runtime() as runtime:
        from flows.annual import annual_assessment
        from flows.summary import print_outcome

        if runtime.api is not None:  # a temporary server is booting: import GX and pandera meanwhile
            from flows.warm_start import import_validation_libraries

            with console.status("importing the validation libraries …"):
                import_validation_libraries()
        with runtime.running(), stage_progress(console, PIPELINE):
            outcome = annual_assessment(
                year=year,
                source=source,
                out=str(out),
                db=str(db_path(db)),
                config=config_path,
                budget=budget,
                floor=floor,
                cap=cap,
                step=step,
                supersede=supersede,
                partitions=partitions,
                runner=str(runner),
                dask_address=dask_address,
                lang=language,
                publish_to=to,
            )
    for reconciliation in outcome.reconciliations:
        console.print(reconciliation.line(), highlight=False, soft_wrap=True)
    _print_files_line(source, db_path(db))
    if outcome.publication.blocked:
        report_blocked(outcome.publication)
    print_outcome(console, db_path(db), year, outcome.publication.allocation_run_id, lang=language)
    print_validation_outcome(outcome.publication, out)
    for path in outcome.publication.files:
        console.print(f"wrote {path}", highlight=False)


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo's source, warehouse and reports.")
    ] = Path("out/demo"),
    units: Annotated[int, typer.Option("--units", min=30, help="Number of synthetic pilot units.")] = 225,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the synthetic year.")] = 20231,
    year: YearOption = 2025,
    db: DbOption = None,
    lang: LangOption = Lang.en,
) -> None:
    """Synthesise a realistic year, serve it from the reference portal on 127.0.0.1 and run the
    whole annual flow over HTTP; no server to install."""
    import os
    import secrets

    language = checked_lang(lang)
    warehouse = db if db is not None else out / "unionflow.duckdb"
    source = out / "source"
    writable(warehouse)
    # First, so that the API server boots while everything below imports and runs.
    with flow_runtime(out / "prefect-server.log") as runtime:
        from flows.annual import annual_assessment
        from flows.warm_start import import_validation_libraries
        from unionflow.portal.server import serve_in_background
        from unionflow.synth import synthesize

        with console.status(f"synthesising {units} pilot units for {year} …"):
            synthesize(source, units=units, year=year, seed=seed)
        console.print(f"synthetic source folder: {source}", highlight=False)
        # A throw-away token for this demo's portal; like every token it is never printed.
        token = os.environ.setdefault("UNIONFLOW_PORTAL_TOKEN", secrets.token_urlsafe(24))
        with serve_in_background(source, token) as base_url:
            console.print(f"reference portal serving it at {base_url}", highlight=False)
            with console.status("importing the validation libraries …"):
                import_validation_libraries()  # while the API server is still booting
            with runtime.running(), stage_progress(console, PIPELINE):
                outcome = annual_assessment(
                    year=year, source=base_url, out=str(out), db=str(warehouse), lang=language
                )
    from flows.summary import print_outcome

    for reconciliation in outcome.reconciliations:
        console.print(reconciliation.line(), highlight=False, soft_wrap=True)
    if outcome.publication.blocked:
        report_blocked(outcome.publication)
    print_outcome(console, warehouse, year, outcome.publication.allocation_run_id, lang=language)
    print_validation_outcome(outcome.publication, out)
    console.print(f"warehouse: {warehouse}", highlight=False)
    for path in outcome.publication.files:
        console.print(f"wrote {path}", highlight=False)
