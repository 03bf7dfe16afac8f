"""Operations commands of the `unionflow` CLI: backups and backfill.

Registered by flows/cli.py:

    from flows.cli_operations import backfill_command, backup_app
    app.add_typer(backup_app, name="backup")
    app.command("backfill")(backfill_command)

This module does not import flows.cli at import time (that would be circular); the shared console
is looked up when a command runs. Errors raised here are `WarehouseError` / `SourceError` /
`ConfigError` subclasses, which `flows.cli.main` already turns into one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

backup_app = typer.Typer(
    help="Warehouse backups (made before and after every publication).", no_args_is_help=True
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file [default: $UNIONFLOW_DB or ./unionflow.duckdb]."),
]


def _console() -> Console:
    from flows.cli import console

    return console


def _db(db: Path | None) -> Path:
    from flows.settings import default_db

    return db if db is not None else default_db()


@backup_app.command("list")
def backup_list(
    db: DbOption = None,
    root: Annotated[
        Path | None, typer.Option("--root", help="Backup folder [default: backups/ next to the warehouse].")
    ] = None,
) -> None:
    """List the backups of the warehouse, oldest first."""
    from rich.table import Table

    from warehouse.backup import backups_root, list_backups

    folder = root if root is not None else backups_root(_db(db))
    found = list_backups(folder)
    console = _console()
    if not found:
        console.print(f"no backups in {folder}", highlight=False)
        return
    table = Table(title=f"Backups in {folder}")
    for column in ("folder", "created (UTC)", "year", "run", "moment", "rows"):
        table.add_column(column, overflow="fold")
    for info in found:
        table.add_row(
            info.path.name,
            info.created_at[:19].replace("T", " "),
            str(info.year),
            str(info.allocation_run_id),
            info.moment,
            f"{sum(info.row_counts.values()):,}",
        )
    console.print(table)


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
    _console().print(
        f"restored {backup_dir} ({info.year}, allocation run {info.allocation_run_id}, {info.moment} "
        f"publication) into {to}: {len(info.row_counts)} tables, {sum(info.row_counts.values()):,} rows",
        highlight=False,
    )


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
    from flows.assessment import resolve_config
    from flows.backfill import backfill, year_sources
    from flows.preflight import check_writable
    from sources.payloads import SourceError

    if config is not None and not config.is_file():
        raise SourceError(f"config file {config} does not exist")
    resolve_config(str(config) if config else None, budget=budget, floor=floor, cap=cap, step=step)
    plans = year_sources(from_year, to_year, source, str(out))  # every year's folder, before any run
    warehouse = _db(db)
    check_writable(warehouse)
    console = _console()
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
