"""The `unionflow` command line (SPEC section 3).

Commands parse and check their arguments, then call flows. User mistakes (bad flag, missing file,
locked warehouse, bad config) end with one line on stderr and exit code 2; `--debug` shows the
traceback instead.
"""

from __future__ import annotations

import gc
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.settings import apply_quiet_defaults, default_db

app = typer.Typer(
    name="unionflow",
    help="Annual mutual-review assessment of trade-union reform pilot units.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
units_app = typer.Typer(help="The pilot-unit registry.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Steward review of quarantined records.", no_args_is_help=True)
review_app = typer.Typer(help="Steward decisions on individual reviews.", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(review_app, name="review")
app.add_typer(quarantine_app, name="quarantine")


def _mount_subcommands() -> None:
    # Commands written next to their feature; registering them here keeps one entry point.
    from flows.cli_reports import objection_app
    from flows.cli_stewardship import history_command, reject_command, release_command, validate_command
    from portal.cli import portal_app

    app.add_typer(portal_app, name="portal", help="The reference federation portal (for demos and tests).")
    app.add_typer(objection_app, name="objection", help="Objections raised during the public notice (公示).")
    from flows.cli_operations import backfill_command, backup_app

    app.add_typer(backup_app, name="backup", help="Warehouse backups taken around every publication.")
    app.command("backfill")(backfill_command)
    app.command("validate")(validate_command)
    quarantine_app.command("release")(release_command)
    quarantine_app.command("reject")(reject_command)
    quarantine_app.command("history")(history_command)


_mount_subcommands()


class _LazyConsole:
    """A Rich console made on first use (no work at import), wide enough for tables when piped."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> object:
        if self._console is None:
            stream = sys.stderr if self._stderr else sys.stdout
            width = None if stream.isatty() else 160
            self._console = Console(stderr=self._stderr, width=width)
        return getattr(self._console, name)


console: Console = _LazyConsole()  # type: ignore[assignment]
errors: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file [default: $UNIONFLOW_DB or ./unionflow.duckdb]."),
]
YearOption = Annotated[int, typer.Option("--year", min=2000, max=2100, help="Assessment year.")]


class UsageProblem(Exception):
    """A mistake in how a command was called, found by the command itself."""


def _db(db: Path | None) -> Path:
    return db if db is not None else default_db()


def _user_errors() -> tuple[type[BaseException], ...]:
    # Imported here so `unionflow --help` stays fast.
    from assessment import AllocationInfeasible, ConfigError
    from flows.warm_start import TemporaryApiError
    from sources.payloads import SourceError
    from warehouse.connection import WarehouseError

    return (
        UsageProblem,
        SourceError,
        WarehouseError,
        ConfigError,
        AllocationInfeasible,
        FileNotFoundError,
        TemporaryApiError,
    )


ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Scoring config TOML [default: built in].")
]
BudgetOption = Annotated[
    int | None, typer.Option("--budget", help="Subsidy budget in CNY [default 1,000,000].")
]
FloorOption = Annotated[int | None, typer.Option("--floor", help="Smallest amount per funded unit [5,000].")]
CapOption = Annotated[int | None, typer.Option("--cap", help="Largest amount per unit [20,000].")]
StepOption = Annotated[int | None, typer.Option("--step", help="Amounts are multiples of this [100].")]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for the published files.")]
PartitionsOption = Annotated[
    int | None,
    typer.Option(
        "--partitions", min=1, help="Validate in this many partitions [default: one per 500,000 records]."
    ),
]
RunnerOption = Annotated[str, typer.Option("--runner", help="Where tasks run: default (threads) or dask.")]
DaskOption = Annotated[
    str | None,
    typer.Option("--dask-address", help="Dask scheduler, e.g. tcp://host:8786 [default: local cluster]."),
]


def _checked_runner(runner: str) -> str:
    from flows.runners import RUNNERS

    if runner not in RUNNERS:
        raise UsageProblem(f"--runner must be one of {', '.join(RUNNERS)}, not {runner!r}")
    return runner


def _checked_config(
    config: Path | None,
    budget: int | None = None,
    floor: int | None = None,
    cap: int | None = None,
    step: int | None = None,
) -> str | None:
    """Validate the config and overrides before any flow starts; returns the path for the flow."""
    from flows.assessment import resolve_config

    if config is not None and not config.is_file():
        raise UsageProblem(f"config file {config} does not exist")
    resolve_config(str(config) if config else None, budget=budget, floor=floor, cap=cap, step=step)
    return str(config) if config else None


@app.command()
def collect(
    year: YearOption,
    source: Annotated[str, typer.Option("--source", help="Portal base URL (http/https) or a folder.")],
    db: DbOption = None,
    deadline: Annotated[
        str | None,
        typer.Option(help="Submission deadline, ISO 8601 with offset [default: 15 Jan next year]."),
    ] = None,
) -> None:
    """Collect a year's units, submissions and reviews, validate them and load the warehouse."""
    from flows.collect import collect as collect_flow
    from flows.preflight import check_source, check_writable

    check_source(source)
    check_writable(_db(db))
    with console.status(f"collecting {year} from {source} …"):
        results = collect_flow(year=year, source=source, db=str(_db(db)), deadline=deadline)
    for reconciliation in results:
        console.print(reconciliation.line(), highlight=False, soft_wrap=True)


@app.command()
def score(year: YearOption, db: DbOption = None, config: ConfigOption = None) -> None:
    """Score the year's pilot units (indicator, peer, bonus, total, ranks, grades)."""
    from flows.assessment import score as score_flow
    from flows.preflight import check_writable

    config_path = _checked_config(config)
    check_writable(_db(db))
    with console.status(f"scoring {year} …"):
        outcome = score_flow(year=year, db=str(_db(db)), config=config_path)
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
    from flows.assessment import allocate as allocate_flow
    from flows.preflight import check_writable

    config_path = _checked_config(config, budget, floor, cap, step)
    check_writable(_db(db))
    with console.status(f"allocating {year} …"):
        outcome = allocate_flow(
            year=year, db=str(_db(db)), config=config_path, budget=budget, floor=floor, cap=cap, step=step
        )
    console.print(
        f"allocation run {outcome.allocation_run_id} (draft): {outcome.funded} units funded, "
        f"allocated {outcome.allocated:,} of {outcome.budget:,} CNY, unallocated {outcome.unallocated:,}",
        highlight=False,
    )


LangOption = Annotated[str, typer.Option("--lang", help="Report language: en or zh.")]


def _checked_lang(lang: str) -> str:
    if lang not in ("en", "zh"):
        raise UsageProblem(f"--lang must be en or zh, not {lang!r}")
    return lang


def _report_blocked(publication: object) -> None:
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
    supersede: Annotated[
        str | None, typer.Option("--supersede", help="Reason for replacing an already published allocation.")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Portal base URL to push the allocation to.")] = None,
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="notice: post the public notice (公示); final: publish after it."),
    ] = None,
    force: Annotated[
        str | None, typer.Option("--force", help="Reason to publish --stage final despite open objections.")
    ] = None,
    lang: LangOption = "en",
    notice_config: Annotated[
        Path | None, typer.Option("--notice-config", help="TOML with [notice] objection_days, contact.")
    ] = None,
) -> None:
    """Publish the year's latest allocation: scores.csv, allocations.csv, quarantine.csv, report.html,
    report.xlsx and validation/ (or, with --stage notice, the public notice)."""
    from flows.assessment import publish as publish_flow
    from flows.preflight import check_writable

    if stage not in (None, "notice", "final"):
        raise UsageProblem(f"--stage must be notice or final, not {stage!r}")
    if force is not None and stage != "final":
        raise UsageProblem("--force only applies to --stage final")
    if notice_config is not None and not notice_config.is_file():
        raise UsageProblem(f"notice config {notice_config} does not exist")
    check_writable(_db(db))
    with console.status(f"publishing {year} …"):
        publication = publish_flow(
            year=year,
            out=str(out),
            db=str(_db(db)),
            supersede=supersede,
            lang=_checked_lang(lang),
            stage=stage,
            force=force,
            to=to,
            notice_config=str(notice_config) if notice_config else None,
        )
    if publication.blocked:
        _report_blocked(publication)
    if publication.stage == "notice":
        console.print(
            f"public notice posted for allocation run {publication.allocation_run_id}", highlight=False
        )
    else:
        replaced = (
            f", superseding run {publication.superseded_run_id}" if publication.superseded_run_id else ""
        )
        console.print(f"published allocation run {publication.allocation_run_id}{replaced}", highlight=False)
        if to:
            console.print(f"pushed to {to}", highlight=False)
    for path in publication.files:
        console.print(f"  wrote {path}", highlight=False)


@app.command("run")
def run_year(
    year: YearOption,
    source: Annotated[str, typer.Option("--source", help="Portal base URL (http/https) or a folder.")],
    out: OutOption = Path("out"),
    db: DbOption = None,
    config: ConfigOption = None,
    budget: BudgetOption = None,
    floor: FloorOption = None,
    cap: CapOption = None,
    step: StepOption = None,
    supersede: Annotated[
        str | None, typer.Option("--supersede", help="Reason for replacing an already published allocation.")
    ] = None,
    partitions: PartitionsOption = None,
    runner: RunnerOption = "default",
    dask_address: DaskOption = None,
    lang: LangOption = "en",
    to: Annotated[str | None, typer.Option("--to", help="Portal base URL to push the allocation to.")] = None,
) -> None:
    """The whole annual flow: collect, validate, load, score, allocate, publish."""
    from flows.annual import annual_assessment
    from flows.preflight import check_source, check_writable
    from flows.summary import print_outcome

    config_path = _checked_config(config, budget, floor, cap, step)
    check_source(source)
    check_writable(_db(db))
    with console.status(f"running the {year} assessment from {source} …"):
        outcome = annual_assessment(
            year=year,
            source=source,
            out=str(out),
            db=str(_db(db)),
            config=config_path,
            budget=budget,
            floor=floor,
            cap=cap,
            step=step,
            supersede=supersede,
            partitions=partitions,
            runner=_checked_runner(runner),
            dask_address=dask_address,
            lang=_checked_lang(lang),
            publish_to=to,
        )
    for reconciliation in outcome.reconciliations:
        console.print(reconciliation.line(), highlight=False, soft_wrap=True)
    if outcome.publication.blocked:
        _report_blocked(outcome.publication)
    print_outcome(console, _db(db), year, outcome.publication.allocation_run_id)
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
    lang: LangOption = "en",
) -> None:
    """Synthesise a realistic year, serve it from the reference portal on 127.0.0.1 and run the
    whole annual flow over HTTP; no server to install."""
    import os
    import secrets

    from flows.preflight import check_writable
    from flows.warm_start import flow_runs_on, import_validation_libraries, temporary_api

    warehouse = db if db is not None else out / "unionflow.duckdb"
    source = out / "source"
    check_writable(warehouse)
    # First, so that the API server boots while everything below imports and runs.
    with temporary_api(out / "prefect-server.log") as api:
        from flows.annual import annual_assessment
        from portal.server import serve_in_background
        from synth import synthesize

        with console.status(f"synthesising {units} pilot units for {year} …"):
            synthesize(source, units=units, year=year, seed=seed)
        console.print(f"synthetic source folder: {source}", highlight=False)
        # A throw-away token for this demo's portal; like every token it is never printed.
        token = os.environ.setdefault("UNIONFLOW_PORTAL_TOKEN", secrets.token_urlsafe(24))
        with serve_in_background(source, token) as base_url:
            console.print(f"reference portal serving it at {base_url}", highlight=False)
            with console.status(f"running the {year} assessment over HTTP …"):
                import_validation_libraries()  # while the API server is still booting
                with flow_runs_on(api):
                    outcome = annual_assessment(
                        year=year, source=base_url, out=str(out), db=str(warehouse), lang=_checked_lang(lang)
                    )
    from flows.summary import print_outcome

    for reconciliation in outcome.reconciliations:
        console.print(reconciliation.line(), highlight=False, soft_wrap=True)
    if outcome.publication.blocked:
        _report_blocked(outcome.publication)
    print_outcome(console, warehouse, year, outcome.publication.allocation_run_id)
    console.print(f"warehouse: {warehouse}", highlight=False)
    for path in outcome.publication.files:
        console.print(f"wrote {path}", highlight=False)


@app.command()
def assign(
    year: YearOption,
    db: DbOption = None,
    per_unit: Annotated[int, typer.Option("--per-unit", min=1, max=50, help="Reviewers per unit (K).")] = 5,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed [default: the year].")] = None,
    conflicts: Annotated[
        Path | None, typer.Option("--conflicts", help="CSV of unit pairs declared in conflict.")
    ] = None,
    parent_union_rule: Annotated[
        bool, typer.Option("--parent-union-rule", help="Also forbid pairs under the same parent union.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write assignments.csv into.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Portal base URL to post the assignment to.")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check the year's assignment and reviews; change nothing.")
    ] = False,
) -> None:
    """Assign K reviewers to every active unit (no self-review, no same-district pair, balanced)."""
    from flows.assign import assign as assign_flow
    from flows.assign import assignment_rules
    from flows.preflight import check_writable

    if conflicts is not None and not conflicts.is_file():
        raise UsageProblem(f"conflicts file {conflicts} does not exist")
    if check:
        _check_assignment(
            year,
            _db(db),
            assignment_rules(per_unit, str(conflicts) if conflicts else None, parent_union_rule),
        )
        return
    check_writable(_db(db))
    with console.status(f"assigning reviewers for {year} …"):
        outcome, exported = assign_flow(
            year=year,
            db=str(_db(db)),
            per_unit=per_unit,
            seed=seed,
            conflicts=str(conflicts) if conflicts else None,
            parent_union_rule=parent_union_rule,
            out=str(out) if out else None,
            to=to,
        )
    console.print(
        f"assigned {outcome.pairs:,} reviews among {outcome.units:,} units (K = {outcome.per_unit}, seed "
        f"{outcome.seed}); reviews per reviewer {outcome.fewest}–{outcome.most}",
        highlight=False,
    )
    short = outcome.short_of_reviewers
    if not short.empty:
        console.print(
            f"[bold red]{len(short)} units cannot get {outcome.per_unit} reviewers under the rules[/]:",
            highlight=False,
        )
        for row in short.itertuples(index=False):
            console.print(
                f"  {row.unit_id}: {row.reviewers} reviewers ({row.missing} missing)", highlight=False
            )
    if exported:
        console.print(f"wrote {exported}", highlight=False)
    if to:
        console.print(f"posted to {to}", highlight=False)


def _check_assignment(year: int, db: Path, rules: object) -> None:
    from rich.table import Table

    from flows.reading import reading
    from tasks.assign import check_year

    with reading(db) as conn:
        found = check_year(conn, year, rules)  # type: ignore[arg-type]
    if found.empty:
        console.print(f"{year}: no violations in the assignment or the reviews", highlight=False)
        return
    table = Table(title=f"{year}: {len(found)} violations")
    for column in found.columns:
        table.add_column(column)
    for row in found.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)


def _decide_review(year: int, review_id: str, action: str, reason: str, by: str | None, db: Path) -> None:
    import getpass

    from flows.preflight import check_writable
    from warehouse.connection import open_warehouse
    from warehouse.review_exclusions import decide

    if not reason.strip():
        raise UsageProblem("--reason must say why")
    check_writable(db)
    with open_warehouse(db) as conn:
        changed = decide(conn, year, review_id, action, reason, by or getpass.getuser())
    done = "excluded from" if action == "exclude" else "taken back into"
    if changed:
        console.print(
            f"review {review_id} {done} scoring; run `unionflow score --year {year}` to re-score",
            highlight=False,
        )
    else:
        console.print(f"review {review_id} is already {done} scoring; nothing recorded", highlight=False)


ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decides [default: the OS user].")]


@review_app.command("exclude")
def review_exclude(
    review_id: Annotated[str, typer.Argument(help="The review to leave out of scoring.")],
    year: YearOption,
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Exclude a (flagged) review from scoring; audited. Re-score afterwards."""
    _decide_review(year, review_id, "exclude", reason, by, _db(db))


@review_app.command("include")
def review_include(
    review_id: Annotated[str, typer.Argument(help="The excluded review to take back.")],
    year: YearOption,
    reason: ReasonOption,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Take an excluded review back into scoring; audited."""
    _decide_review(year, review_id, "include", reason, by, _db(db))


@review_app.command("exclusions")
def review_exclusions(year: YearOption, db: DbOption = None) -> None:
    """The audit trail of the year's exclusion decisions."""
    from rich.table import Table

    from flows.reading import reading
    from warehouse.review_exclusions import decisions

    with reading(_db(db)) as conn:
        trail = decisions(conn, year)
    table = Table(title=f"{year}: review exclusion decisions")
    for column in ("review_id", "action", "reason", "decided_by", "decided_at"):
        table.add_column(column)
    for row in trail.itertuples(index=False):
        table.add_row(row.review_id, row.action, row.reason, row.decided_by, str(row.decided_at))
    console.print(table)


@app.command()
def feedback(
    year: YearOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for the per-unit sheets.")],
    db: DbOption = None,
    lang: Annotated[str, typer.Option("--lang", help="en or zh.")] = "en",
) -> None:
    """Write one feedback sheet per unit (criterion means, comments; reviewers as R01, R02, …)."""
    from reports.feedback import write_feedback
    from warehouse import assessment as store

    if lang not in ("en", "zh"):
        raise UsageProblem(f"--lang must be en or zh, not {lang!r}")
    from flows.reading import reading

    with reading(_db(db)) as conn:
        units = store.active_units(conn, year)
        reviews = store.accepted_reviews(conn, year)
    written = write_feedback(out, year, units, reviews, lang=lang)
    console.print(f"wrote {len(written)} feedback sheets to {out}", highlight=False)


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the synthetic source into.")],
    units: Annotated[int, typer.Option("--units", min=1, help="Number of pilot units.")] = 225,
    year: YearOption = 2025,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 20231,
) -> None:
    """Write a synthetic source folder (SPEC section 4), deterministic for a seed."""
    from synth import synthesize

    with console.status(f"synthesising {units:,} pilot units for {year} …"):
        manifest = synthesize(out, units=units, year=year, seed=seed)
    console.print(f"wrote {out} ({_manifest_summary(manifest)})", highlight=False)


def _manifest_summary(manifest: object) -> str:
    counts = getattr(manifest, "counts", None) or (
        manifest.get("counts") if isinstance(manifest, dict) else None
    )
    if isinstance(counts, dict):
        return ", ".join(f"{kind}: {count:,}" for kind, count in counts.items() if isinstance(count, int))
    return "see manifest.json"


@units_app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(help="Registry file: CSV (UTF-8 or GBK) or XLSX.")],
    db: DbOption = None,
) -> None:
    """Load the pilot-unit registry; a file with any bad row is refused whole."""
    from flows.preflight import check_writable
    from flows.registry import import_units

    if not file.is_file():
        raise UsageProblem(f"registry file {file} does not exist")
    check_writable(_db(db))
    outcome = import_units(file, _db(db))
    if outcome.rejected:
        errors.print(f"{file}: {len(outcome.rejected)} bad rows; nothing was imported:", highlight=False)
        for ref, rule, message in outcome.rejected:
            errors.print(f"  {ref}: {rule}: {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if outcome.reconciliation is not None:
        console.print(outcome.reconciliation.line(), highlight=False)


@quarantine_app.command("list")
def quarantine_list(
    db: DbOption = None,
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only records breaking this rule code.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="unit, submission or review.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 50,
) -> None:
    """List quarantined records."""
    from flows.stewardship import show_quarantine_list

    show_quarantine_list(console, _db(db), year=year, rule=rule, kind=kind, limit=limit)


@quarantine_app.command("show")
def quarantine_show(
    quarantine_id: Annotated[int, typer.Argument(help="Quarantine id.")], db: DbOption = None
) -> None:
    """Show one quarantined record: its payload, the rules it breaks and why."""
    from flows.stewardship import show_quarantined_record

    show_quarantined_record(console, _db(db), quarantine_id)


def _release_frames(problem: BaseException | None) -> None:
    # Prefect keeps a failed run's exception; its frames hold the step's DuckDB connection, which
    # DuckDB's bindings would report as leaked at exit. Clearing the frames' locals lets it go.
    seen = set()
    while problem is not None and id(problem) not in seen:
        seen.add(id(problem))
        traceback.clear_frames(problem.__traceback__)
        problem = problem.__cause__ or problem.__context__


def main() -> None:
    """Console-script entry point: run the app, turning user mistakes into exit code 2.

    Typer handles its own usage errors (exit 2). Our user errors are caught here and the process
    exits *outside* the except block: inside it, the traceback would keep the DuckDB connection
    of the failed step alive until interpreter shutdown.
    """
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    apply_quiet_defaults(debug=debug)
    message = None
    try:
        app()
    except _user_errors() as problem:
        if debug:
            raise
        message = f"unionflow: error: {problem}"
        _release_frames(problem)
    if message is not None:
        gc.collect()
        errors.print(message, highlight=False, soft_wrap=True)
        sys.exit(2)
