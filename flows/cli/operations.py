"""Operations commands: `status`, `backup list|prune|restore`, `backfill` and `synth`.

Errors raised here are `WarehouseError` / `SourceError` / `ConfigError` subclasses, which
`flows.cli.main` turns into one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import DbOption, YearOption, console, db_path
from warehouse.backup_retention import DEFAULT_KEEP_OTHERS

app = typer.Typer()
backup_app = typer.Typer(
    help="Warehouse backups (made before and after every publication).", no_args_is_help=True
)


def _mib(size: int) -> str:
    # Exact bytes for scripts and audits, MiB for a glance.
    return f"{size:,} bytes ({size / 2**20:,.1f} MiB)"


@backup_app.command("list")
def backup_list(
    db: DbOption = None,
    root: Annotated[
        Path | None, typer.Option("--root", help="Backup folder [default: backups/ next to the warehouse].")
    ] = None,
) -> None:
    """List the backups of the warehouse, oldest first, with their sizes and what each protects."""
    from rich.table import Table

    from warehouse.backup import backups_root
    from warehouse.backup_retention import backup_statuses, published_runs
    from warehouse.connection import open_warehouse

    path = db_path(db)
    folder = root if root is not None else backups_root(path)
    published = {}
    if path.exists():
        with open_warehouse(path, read_only=True) as conn:
            published = published_runs(conn)
    found = backup_statuses(folder, path, published)
    if not found:
        console.print(f"no backups in {folder}", highlight=False)
        return
    table = Table(title=f"Backups in {folder}")
    for column in ("folder", "created (UTC)", "year", "run", "moment", "rows", "size", "protects"):
        table.add_column(column, overflow="fold")
    for status in found:
        info = status.info
        table.add_row(
            info.path.name,
            info.created_at[:19].replace("T", " "),
            str(info.year),
            str(info.allocation_run_id),
            info.moment,
            f"{sum(info.row_counts.values()):,}",
            _mib(status.size_bytes),
            status.protects or "– (kept while among the newest others)",
        )
    console.print(table)
    console.print(f"{len(found)} backups, {_mib(sum(s.size_bytes for s in found))}", highlight=False)


@backup_app.command("prune")
def backup_prune(
    db: DbOption = None,
    keep: Annotated[
        int,
        typer.Option(
            "--keep",
            min=0,
            help="Backups kept besides those of every published run (newest first).",
        ),
    ] = DEFAULT_KEEP_OTHERS,
) -> None:
    """Remove old backups: keep every backup of a year's published run and the newest --keep others."""
    from warehouse.backup_retention import prune_backups
    from warehouse.connection import MissingData, open_warehouse

    path = db_path(db)
    if not path.exists():
        raise MissingData(f"warehouse {path} does not exist")
    with open_warehouse(path, read_only=True) as conn:
        pruned = prune_backups(conn, path, keep)
    for status in pruned.removed:
        console.print(f"removed {status.info.path.name} ({_mib(status.size_bytes)})", highlight=False)
    console.print(
        f"pruned {len(pruned.removed)} backups, freed {_mib(pruned.freed_bytes)}; kept {len(pruned.kept)}",
        highlight=False,
    )


@backup_app.command("restore")
def backup_restore(
    backup_dir: Annotated[Path, typer.Argument(help="A backup folder (see `unionflow backup list`).")],
    to: Annotated[Path, typer.Option("--to", help="Warehouse file to create from the backup.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Restore a backup into a new warehouse file (an existing file needs --force)."""
    from warehouse.backup import BackupError, restore

    if not backup_dir.is_dir():
        raise BackupError(f"backup folder {backup_dir} does not exist")
    if to.exists() and force:
        # Replacing a warehouse someone is writing would lose their work: it must be free. Only the
        # lock matters here; a damaged file is exactly what --force is for.
        import duckdb

        from warehouse.connection import WarehouseError, WarehouseLocked, connect

        try:
            connect(to, read_only=True).close()
        except WarehouseLocked:
            raise
        except (WarehouseError, duckdb.Error):
            pass
    info = restore(backup_dir, to, force=force)
    console.print(
        f"restored {backup_dir} ({info.year}, allocation run {info.allocation_run_id}, {info.moment} "
        f"publication) into {to}: {len(info.row_counts)} tables, {sum(info.row_counts.values()):,} rows",
        highlight=False,
    )


@app.command("backfill")
def backfill_command(
    from_year: Annotated[int, typer.Option("--from", min=2000, max=2100, help="First year to run.")],
    to_year: Annotated[int, typer.Option("--to", min=2000, max=2100, help="Last year to run.")],
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="Folder with one sub-folder per year (DIR/2021, …), a path with {year}, or a portal URL.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output root: each year is written to OUT/<year>.")
    ] = Path("out"),
    db: DbOption = None,
    config: Annotated[Path | None, typer.Option("--config", help="Scoring config TOML.")] = None,
    budget: Annotated[int | None, typer.Option("--budget", help="Subsidy budget in CNY.")] = None,
    floor: Annotated[int | None, typer.Option("--floor", help="Smallest amount per funded unit.")] = None,
    cap: Annotated[int | None, typer.Option("--cap", help="Largest amount per unit.")] = None,
    step: Annotated[int | None, typer.Option("--step", help="Amounts are multiples of this.")] = None,
    supersede: Annotated[
        str | None, typer.Option("--supersede", help="Reason for replacing already published years.")
    ] = None,
) -> None:
    """Run the annual assessment for every year from --from to --to, oldest first."""
    from flows.backfill import year_sources
    from flows.cli.checks import writable
    from flows.cli.runtime import flow_runtime
    from unionflow.assessment import resolve_config
    from unionflow.sources.payloads import SourceError

    if config is not None and not config.is_file():
        raise SourceError(f"config file {config} does not exist")
    resolve_config(str(config) if config else None, budget=budget, floor=floor, cap=cap, step=step)
    plans = year_sources(from_year, to_year, source, str(out))  # every year's folder, before any run
    warehouse = db_path(db)
    writable(warehouse)
    with flow_runtime() as runtime, runtime.running():
        from flows.backfill import backfill

        with console.status(f"backfilling {from_year}–{to_year} ({len(plans)} years) …"):
            results = backfill(
                from_year=from_year,
                to_year=to_year,
                source=source,
                out=str(out),
                db=str(warehouse),
                config=str(config) if config else None,
                budget=budget,
                floor=floor,
                cap=cap,
                step=step,
                supersede=supersede,
            )
    for done, plan in zip(results, plans, strict=True):
        console.print(
            f"{done.year}: published allocation run {done.allocation_run_id}, files in {plan.out}",
            highlight=False,
        )


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the synthetic source into.")],
    units: Annotated[int, typer.Option("--units", min=1, help="Number of pilot units.")] = 225,
    year: YearOption = 2025,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 20231,
    years: Annotated[
        str | None,
        typer.Option("--years", help="Consecutive years, e.g. 2023-2025: one folder OUT/<year> each."),
    ] = None,
) -> None:
    """Write a synthetic source folder (SPEC section 4), deterministic for a seed."""
    from unionflow.synth import synthesize

    if years is not None:
        from flows.cli.options import UsageProblem
        from unionflow.synth.years import parse_years, synthesize_years

        try:
            chosen = parse_years(years)
        except ValueError as problem:
            raise UsageProblem(f"--years: {problem}") from None
        with console.status(f"synthesising {units:,} pilot units for {years} …"):
            synthesize_years(out, units=units, years=chosen, seed=seed)
        console.print(
            f"wrote {', '.join(str(out / str(y)) for y in chosen)} (same units every year)", highlight=False
        )
        return

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


@app.command("status")
def status_command(year: YearOption, db: DbOption = None) -> None:
    """Each stage of a year (collected, scored, allocated, notice, published): done, missing or
    stale, and why a stale one is stale."""
    from rich.table import Table

    from warehouse.connection import MissingData, open_warehouse
    from warehouse.freshness import year_status

    path = db_path(db)
    if not path.exists():
        raise MissingData(f"warehouse {path} does not exist")
    with open_warehouse(path, read_only=True) as conn:
        stages = year_status(conn, year)
    table = Table(title=f"{year} in {path}")
    for column in ("stage", "state", "holds", "why stale"):
        table.add_column(column, overflow="fold")
    for stage in stages:
        table.add_row(stage.stage, stage.state, stage.detail, stage.why_stale or "")
    console.print(table)
    stale = [stage.stage for stage in stages if stage.state == "stale"]
    if stale:
        console.print(
            f"stale: {', '.join(stale)}; `unionflow run` (or `score`, then `allocate`) updates them",
            highlight=False,
        )
    else:
        console.print("current: nothing is stale", highlight=False)
