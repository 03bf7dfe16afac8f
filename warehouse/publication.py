"""Publication in the warehouse: headline figures, the public notice (公示) and the final stage.

A year's allocation is published in two stages. The **notice** stage posts the draft allocation for
public comment and opens an objection period (14 days by default); anyone may object to a unit's
result meanwhile, and a steward resolves each objection as `upheld` or `dismissed`, audited. The
**final** stage is refused while the period is open, while an objection is unresolved, or while an
upheld objection still concerns the run about to be published, unless forced with a recorded reason.
Objections themselves are `warehouse.objections`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import duckdb

from unionflow.clock import FEDERATION_TIMEZONE
from unionflow.next_step import NextStep, PassOption, RunCommand
from warehouse import allocation_runs
from warehouse.connection import WarehouseError
from warehouse.missing import no_allocation
from warehouse.sql import first_row, records, run, statement

if TYPE_CHECKING:
    import pandas as pd  # only in annotations: reading a row needs no pandas (issue 15)


class PublicationRefused(WarehouseError):
    """Final publication is not allowed yet (objection period open, objections unresolved, …)."""


class AlreadyPublished(WarehouseError):
    """A different allocation of the year is already published and no supersede reason was given."""


def already_published(year: int, previous: int, run_id: int) -> AlreadyPublished:
    """Publishing `run_id` would replace the published run `previous` without a recorded reason."""
    return AlreadyPublished(
        f"the {year} allocation is already published (run {previous}); publishing run {run_id} "
        "in its place needs a reason",
        next_steps=(PassOption("--supersede REASON"),),
    )


# --------------------------------------------------------------------------------------------------
# Headline figures


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the report, each defined by one query below (see docs/reports.md).

    registered   pilot units active in the year (the population scored and listed in allocations)
    submitted    registered units that sent at least one submission for the year, whether it was
                 accepted, superseded or quarantined (records without a readable unit id are not units)
    accepted     registered units with an accepted (current) submission for the year
    quarantined  quarantined records concerning the year: its submissions and reviews plus the
                 registry's units (exactly the rows of quarantine.csv)
    reviews      valid peer reviews counted for the year (one current review per reviewer → reviewee)
    scored       units with a total score (neither `missing` nor `incomplete`)
    funded       units with reason `funded` in the allocation run
    """

    registered: int
    submitted: int
    accepted: int
    quarantined: int
    quarantined_units: int
    quarantined_submissions: int
    quarantined_reviews: int
    reviews: int
    reviews_received: int
    scored: int
    funded: int
    budget: int
    allocated: int
    unallocated: int
    #: Why more than one step stays unallocated (`allocation_leftovers`): a code of the
    #: catalogue's `[leftover]` section and its figures; None when the budget is spent to a step.
    unallocated_reason: str | None = None
    unallocated_params: dict[str, object] = field(default_factory=dict)


def headline(conn: duckdb.DuckDBPyConnection, year: int, allocation_run_id: int) -> Headline:
    """The report's headline figures for an allocation run of `year`."""
    meta = allocation_runs.existing_allocation_run(conn, allocation_run_id)
    row = first_row(
        conn,
        statement("headline"),
        {"year": year, "run": allocation_run_id, "score_run": meta.score_run_id},
    )
    assert row is not None  # an aggregate-only select always yields one row
    (
        registered,
        submitted,
        accepted,
        q_units,
        q_submissions,
        q_reviews,
        reviews,
        reviews_received,
        scored,
        funded,
    ) = (int(v) for v in row)
    leftover = allocation_runs.allocation_leftover(conn, allocation_run_id)
    return Headline(
        registered=registered,
        submitted=submitted,
        accepted=accepted,
        quarantined=q_units + q_submissions + q_reviews,
        quarantined_units=q_units,
        quarantined_submissions=q_submissions,
        quarantined_reviews=q_reviews,
        reviews=reviews,
        reviews_received=reviews_received,
        scored=scored,
        funded=funded,
        budget=meta.budget,
        allocated=meta.allocated,
        unallocated=meta.unallocated,
        unallocated_reason=None if leftover is None else leftover[0],
        unallocated_params={} if leftover is None else leftover[1],
    )


# --------------------------------------------------------------------------------------------------
# Notice stage


@dataclass(frozen=True)
class Notice:
    """A posted public notice: the run it shows and its objection period."""

    year: int
    allocation_run_id: int
    period_start: dt.date
    period_end: dt.date  # inclusive: objections are accepted until the end of this local day
    closes_at: dt.datetime
    contact: str
    published_at: dt.datetime

    def is_open(self, now: dt.datetime) -> bool:
        """Whether objections can still be filed at `now`."""
        return now < self.closes_at


def objection_period(
    published_at: dt.datetime, days: int, timezone: str = FEDERATION_TIMEZONE
) -> tuple[dt.date, dt.date, dt.datetime]:
    """(first day, last day inclusive, closing instant) of a period of `days` calendar days.

    The publication date counts as day 1, as on a posted notice ("公示期为1月20日至2月2日"); the period
    closes at midnight local time after the last day.
    """
    if days < 1:
        raise WarehouseError(f"the objection period must be at least 1 day, not {days}")
    zone = ZoneInfo(timezone)
    start = published_at.astimezone(zone).date()
    end = start + dt.timedelta(days=days - 1)
    closes = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    return start, end, closes


def _aware(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise WarehouseError(f"not a moment: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.date() if isinstance(value, dt.datetime) else value
    raise WarehouseError(f"not a date: {value!r}")


def latest_notice(conn: duckdb.DuckDBPyConnection, year: int) -> Notice | None:
    """The most recent notice posted for a year, or None (read without pandas: issue 15)."""
    found = records(conn, statement("latest_notice"), {"year": year})
    if not found:
        return None
    row = found[0]
    return Notice(
        year=int(row["year"]),
        allocation_run_id=int(row["allocation_run_id"]),
        period_start=_day(row["period_start"]),
        period_end=_day(row["period_end"]),
        closes_at=_aware(row["closes_at"]),
        contact=str(row["contact"] or ""),
        published_at=_aware(row["published_at"]),
    )


def record_notice(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    now: dt.datetime,
    *,
    objection_days: int,
    contact: str,
    timezone: str = FEDERATION_TIMEZONE,
) -> Notice:
    """Post the notice of an allocation run, or return the one already posted for that run.

    Re-posting the same run (e.g. to rewrite lost files) keeps the original period: restarting it
    would quietly extend the time to object. A new run (after an upheld objection) gets a new period.
    """
    existing = latest_notice(conn, year)
    if existing is not None and existing.allocation_run_id == allocation_run_id:
        return existing
    start, end, closes = objection_period(now, objection_days, timezone)
    run(
        conn,
        statement("record_notice"),
        [year, allocation_run_id, start, end, closes, contact, now],
    )
    notice = latest_notice(conn, year)
    assert notice is not None
    return notice


# --------------------------------------------------------------------------------------------------
# Final stage


@dataclass(frozen=True)
class Blocker:
    """One thing that stops a final publication, and the command that clears it when there is one."""

    text: str
    next_step: RunCommand | None = None


def final_blockers(conn: duckdb.DuckDBPyConnection, year: int, now: dt.datetime) -> tuple[int, list[Blocker]]:
    """(latest allocation run, what stops its final publication at `now`): empty when allowed."""
    latest = first_row(conn, statement("latest_allocation_run_id"), [year])
    if latest is None or latest[0] is None:
        raise no_allocation(year)
    run_id = int(latest[0])
    blockers: list[Blocker] = []
    notice = latest_notice(conn, year)
    if notice is None:
        post = RunCommand.of("publish", "--year", year, "--stage", "notice")
        blockers.append(Blocker("no public notice was posted", post))
    elif notice.allocation_run_id != run_id:
        blockers.append(
            Blocker(
                f"the notice shows allocation run {notice.allocation_run_id}, not the latest run {run_id}"
                " (post a new notice)"
            )
        )
    elif notice.is_open(now):
        blockers.append(
            Blocker(f"the objection period is open until {notice.period_end.isoformat()} (inclusive)")
        )
    open_ids = [int(r[0]) for r in run(
        conn, statement("open_objection_ids"), [year]
    )]  # fmt: skip
    if open_ids:
        blockers.append(
            Blocker(f"{len(open_ids)} objection(s) unresolved (id {', '.join(map(str, open_ids))})")
        )
    upheld_ids = [int(r[0]) for r in run(
        conn,
        statement("upheld_objection_ids"),
        [year, run_id],
    )]  # fmt: skip
    if upheld_ids:
        blockers.append(
            Blocker(
                f"objection(s) {', '.join(map(str, upheld_ids))} were upheld against run {run_id}"
                " (correct the record and run again for a new draft)"
            )
        )
    return run_id, blockers


def final_refusal(year: int, blockers: list[Blocker]) -> PublicationRefused:
    """The refusal naming every blocker; what clears them comes first, then `--force REASON`."""
    steps: list[NextStep] = [blocker.next_step for blocker in blockers if blocker.next_step is not None]
    steps.append(PassOption("--force REASON"))
    return PublicationRefused(
        f"final publication of {year} refused: " + "; ".join(blocker.text for blocker in blockers),
        next_steps=tuple(steps),
    )


def check_final_allowed(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    now: dt.datetime,
    force: str | None,
    *,
    forced_by: str | None = None,
) -> None:
    """Refuse the final publication of `year` unless its notice period is over and no objection is
    open (or upheld against the run to publish); `force` (a reason) overrides, and is recorded.

    Raises `PublicationRefused` (a `WarehouseError`: exit 2 on the CLI) with one line naming every
    blocker, or `MissingData` when the year has no allocation at all (not overridable).
    """
    run_id, blockers = final_blockers(conn, year, now)
    if not blockers:
        return
    refusal = final_refusal(year, blockers)
    if force is None or not force.strip():
        raise refusal
    run(
        conn,
        statement("record_publication_override"),
        [year, run_id, str(refusal), force, now, forced_by],
    )


def record_final(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    allocation_run_id: int,
    now: dt.datetime,
    force: str | None = None,
) -> None:
    """Record the final publication of a run (call after it was marked published)."""
    run(
        conn,
        statement("record_final_publication"),
        [year, allocation_run_id, now, force],
    )


def publication_stages(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """Every stage recorded for a year, oldest first (the audit trail of notice and final)."""
    return conn.sql(
        statement("publication_stages"),
        params={"year": year},
    ).df()
