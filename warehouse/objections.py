"""Objections raised during the public notice (公示): filed against a unit's result, resolved once.

Anyone may object to a unit's result in the latest allocation while the notice is up; a steward
resolves each as `upheld` or `dismissed` with a note, audited. `warehouse.publication` reads the
open and upheld ones when it decides whether the final stage may go ahead.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import duckdb

from warehouse import allocation_runs
from warehouse.connection import WarehouseError
from warehouse.missing import no_allocation
from warehouse.sql import first_row, run, statement, transaction

if TYPE_CHECKING:
    import pandas as pd  # only in annotations: listing objections for the CLI needs no pandas

Outcome = Literal["upheld", "dismissed"]
OUTCOMES: tuple[str, ...] = ("upheld", "dismissed")


class ObjectionError(WarehouseError):
    """An objection command that cannot be carried out (unknown unit or id, already resolved, …)."""


def _next_objection_id(conn: duckdb.DuckDBPyConnection) -> int:
    row = first_row(conn, statement("next_objection_id"))
    return int(row[0]) if row else 1


def add_objection(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    unit_id: str,
    reason: str,
    *,
    filed_by: str,
    now: dt.datetime,
) -> int:
    """File an objection against a unit's result for `year`; returns its id.

    The unit must be in the year's latest allocation (every active unit has a row there), so an
    objection always points at a result that was actually published for comment.
    """
    if not reason.strip():
        raise ObjectionError("an objection needs a reason (--reason)")
    latest = allocation_runs.latest_allocation_run(conn, year)
    if latest is None:
        raise no_allocation(year)
    run_id = latest.allocation_run_id
    known = first_row(
        conn,
        statement("allocation_row_count"),
        [run_id, unit_id],
    )
    if not known or not known[0]:
        raise ObjectionError(f"unit {unit_id} has no result in the {year} allocation (run {run_id})")
    with transaction(conn):
        objection_id = _next_objection_id(conn)
        run(
            conn,
            statement("record_objection"),
            [objection_id, year, unit_id, run_id, reason, now, filed_by],
        )
    return objection_id


def list_objections(
    conn: duckdb.DuckDBPyConnection, year: int | None = None, status: str | None = None
) -> pd.DataFrame:
    """Objections, oldest first, optionally of one year and one status."""
    return conn.sql(
        statement("objections"),
        params={"year": year, "status": status},
    ).df()


def resolve_objection(
    conn: duckdb.DuckDBPyConnection,
    objection_id: int,
    outcome: str,
    note: str,
    *,
    resolved_by: str,
    now: dt.datetime,
) -> dict[str, object]:
    """Close an open objection as `upheld` or `dismissed` with a note; returns the updated row.

    A resolution is final: changing it would rewrite the audit trail, so a second resolution is
    refused (file a new objection instead).
    """
    if outcome not in OUTCOMES:
        raise ObjectionError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if not note.strip():
        raise ObjectionError("a resolution needs a note (--note) explaining the outcome")
    row = first_row(conn, statement("objection_status"), [objection_id])
    if row is None:
        raise ObjectionError(f"no objection with id {objection_id}")
    if row[0] != "open":
        raise ObjectionError(f"objection {objection_id} is already resolved ({row[0]})")
    with transaction(conn):
        run(
            conn,
            statement("resolve_objection"),
            [outcome, now, resolved_by, note, objection_id],
        )
    frame = list_objections(conn)
    return frame[frame["objection_id"] == objection_id].iloc[0].to_dict()
