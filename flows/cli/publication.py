"""Commands around publication: the public notice (公示), objections and per-unit feedback.

`objection_app` is `unionflow objection add|list|resolve`; `notice_command` is what
`unionflow publish --stage notice` calls. Mistakes raise `WarehouseError` subclasses or
`ConfigError`, which `flows.cli.main` turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli.options import (
    ByOption,
    DbOption,
    Lang,
    LangOption,
    YearOption,
    checked_lang,
    console,
    db_path,
    plain_console,
    who,
)

if TYPE_CHECKING:
    from warehouse.publication import Notice

app = typer.Typer()
objection_app = typer.Typer(
    help="Objections to a unit's result during the public notice (公示), with an audited outcome.",
    no_args_is_help=True,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _local(value: object) -> str:
    """A moment in Asia/Shanghai with the zone named (the catalogue's one format)."""
    from unionflow.reports.catalogue import catalogue

    return catalogue("en").time(value)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


@objection_app.command("add")
def objection_add(
    year: Annotated[int, typer.Option("--year", min=2000, max=2100, help="Assessment year.")],
    unit: Annotated[str, typer.Option("--unit", help="The pilot unit whose result is contested.")],
    reason: Annotated[str, typer.Option("--reason", help="What is contested and why.")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """File an objection against a unit's result for a year (status: open)."""
    from warehouse.connection import open_warehouse
    from warehouse.objections import add_objection
    from warehouse.publication import latest_notice

    console = plain_console()
    now = _now()
    with open_warehouse(db_path(db)) as conn:
        objection_id = add_objection(conn, year, unit, reason, filed_by=who(by), now=now)
        notice = latest_notice(conn, year)
    console.print(f"objection {objection_id} filed against {unit} for {year} (status: open)")
    if notice is None:
        console.print(f"note: no public notice of {year} has been posted yet")
    elif not notice.is_open(now):
        console.print(
            f"note: the objection period ended on {notice.period_end.isoformat()}; the objection is "
            "recorded and blocks the final publication until it is resolved"
        )


@objection_app.command("list")
def objection_list(
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only objections with this status: open, upheld, dismissed."),
    ] = None,
    db: DbOption = None,
) -> None:
    """List objections with their status and, once resolved, the outcome, who decided and when."""
    from rich.table import Table
    from rich.text import Text

    from warehouse.objections import ObjectionError
    from warehouse.sql import records, statement

    if status is not None and status not in ("open", "upheld", "dismissed"):
        raise ObjectionError(f"status must be open, upheld or dismissed, not {status!r}")
    from flows.reading import reading

    with reading(db_path(db)) as conn:
        # `list_objections`'s query, read as DuckDB rows: no pandas, so the listing stays fast.
        rows = records(conn, statement("objections"), {"year": year, "status": status})
    scope = f" of {year}" if year is not None else ""
    table = Table(title=f"Objections{scope}: {len(rows)}")
    for column in ("id", "year", "unit", "reason", "filed", "status", "resolved", "note"):
        table.add_column(column, overflow="fold")
    for r in rows:
        unit = f"{r['unit_id']} {r['name']}".strip()
        resolved = f"{_local(r['resolved_at'])} {_text(r['resolved_by'])}".strip()
        cells = (
            str(r["objection_id"]),
            str(r["year"]),
            unit,
            str(r["reason"]),
            f"{_local(r['filed_at'])} {r['filed_by']}",
            str(r["status"]),
            resolved,
            _text(r["note"]),
        )
        table.add_row(*(Text(cell) for cell in cells))  # Text: never read as Rich markup
    plain_console().print(table)


@objection_app.command("resolve")
def objection_resolve(
    objection_id: Annotated[int, typer.Argument(help="Objection id (see `objection list`).")],
    outcome: Annotated[str, typer.Option("--outcome", help="upheld or dismissed.")],
    note: Annotated[str, typer.Option("--note", help="The decision and its grounds (kept in the audit).")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Resolve an open objection as upheld or dismissed; the outcome is recorded and cannot change."""
    from warehouse.connection import open_warehouse
    from warehouse.objections import resolve_objection

    console = plain_console()
    with open_warehouse(db_path(db)) as conn:
        row = resolve_objection(conn, objection_id, outcome, note, resolved_by=who(by), now=_now())
    year = row["year"]
    console.print(f"objection {objection_id} ({row['unit_id']}, {year}) {outcome} by {row['resolved_by']}")
    if outcome == "upheld":
        console.print(
            f"upheld: correct the record (fix the source or release/reject quarantined records) and run "
            f"`unionflow run --year {year} …` again; a new draft allocation will be made. Post it with "
            f"`unionflow publish --year {year} --stage notice` (a new objection period) before the final "
            "publication."
        )
    else:
        console.print(
            "dismissed: the result stands; the final publication is possible once the objection period "
            "is over and no objection is open."
        )


def notice_command(
    year: int,
    out: Path,
    db: Path | None = None,
    lang: str = "en",
    notice_config: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """`unionflow publish --year Y --out DIR --stage notice`: post the public notice of the year's
    latest allocation (opens the objection period) and write DIR/notice.md and DIR/notice.html.

    `notice_config` is a TOML file with a `[notice]` table (objection_days, contact, issuer,
    timezone); without it the defaults apply (14 days). Posting the same run again rewrites the
    files and keeps the original period. Returns the files written.
    """
    from tasks.notice import write_notice
    from unionflow.reports.catalogue import LANGS
    from unionflow.reports.notice import load_notice_settings
    from warehouse import allocation_runs
    from warehouse.connection import open_warehouse
    from warehouse.missing import no_allocation
    from warehouse.publication import latest_notice

    if lang not in LANGS:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    settings = load_notice_settings(notice_config)
    console = plain_console()
    with open_warehouse(db_path(db)) as conn:
        latest = allocation_runs.latest_allocation_run(conn, year)
        if latest is None:
            raise no_allocation(year)
        run_id = latest.allocation_run_id
        files = write_notice(conn, year, run_id, Path(out), lang, now or _now(), settings)
        notice = latest_notice(conn, year)
    assert notice is not None
    for line in notice_lines(notice, notice_config is None):
        console.print(line)
    for path in files:
        console.print(f"  wrote {path}")
    return files


def notice_lines(notice: Notice, defaults: bool) -> list[str]:
    """What posting a notice prints: the run, the objection period (Asia/Shanghai calendar days)
    and the contact, so whoever posts it sees what the public will read; a note on defaults."""
    start, end = notice.period_start, notice.period_end
    lines = [
        f"public notice of {notice.year} posted for allocation run {notice.allocation_run_id}",
        f"  objection period: {start.isoformat()} to {end.isoformat()} inclusive ({(end - start).days + 1} "
        f"days; closes {_local(notice.closes_at)})",
        f"  contact: {notice.contact}",
    ]
    if defaults:
        lines.append(
            "note: no --notice-config given; the notice names the default contact and a 14-day period "
            "(set [notice] contact and objection_days in a TOML file)"
        )
    return lines


def echo_notice(db: Path | None, year: int, defaults: bool) -> None:
    """After `publish --stage notice`: print the period and contact of the notice just posted."""
    from flows.reading import reading
    from warehouse.publication import latest_notice

    with reading(db_path(db)) as conn:
        notice = latest_notice(conn, year)
    if notice is None:
        return
    console = plain_console()
    for line in notice_lines(notice, defaults):
        console.print(line)


@app.command()
def feedback(
    year: YearOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for the per-unit sheets.")],
    db: DbOption = None,
    lang: LangOption = Lang.en,
) -> None:
    """Write one feedback sheet per unit: its result (total, rank, grade, amount), indicator
    percentiles in its level, peer scores against its level's, and comments (reviewers as R01, …)."""
    from tasks.reports import feedback_inputs
    from unionflow.reports.feedback import write_feedback

    checked_lang(lang)
    from flows.reading import reading

    with reading(db_path(db)) as conn:
        inputs = feedback_inputs(conn, year)
    written = write_feedback(out, inputs, lang=lang)
    console.print(f"wrote {len(written)} feedback sheets to {out}", highlight=False)
