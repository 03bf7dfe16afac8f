"""Parameters of the deployment flows (prefect.yaml): flat, strictly typed flow parameters.

A deployment's parameters come from prefect.yaml, from the UI or from an API call, so nothing checks
them before the flow starts the way the CLI's preflight does. Each deployment flow therefore takes
flat keyword parameters annotated with the strict types below: Prefect validates a run's
parameters against them (and the server against the JSON schema made from them) with no silent
coercion (`"2025"` is not a year), and a key the flow does not take (a typo such as `budjet`) fails
the run naming it. Flat, not one model object: Prefect merges a run's parameters with the
deployment's defaults key by key, so a run that overrides `year` keeps the deployment's `db`,
`source` and `out` (with one `params` object the override replaced all of it).

The year is always explicit. A scheduled run cannot know a fixed year in advance, so a year may be
given relative to the run's start, resolved in the federation's time zone (Asia/Shanghai):

- `"previous"`: the calendar year before the run's start (the 20 January annual assessment);
- `"cycle"`: the assessment year whose collection window is open: the current year from July to
  December, the previous year from January to June (a collection run on 10 January still collects
  the year whose submissions are due on 15 January).

A bad parameter fails the flow run before it does anything, with Prefect's message naming the
parameter, e.g. `year.constrained-int: Input should be a valid integer`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, Strict

from unionflow.clock import FEDERATION_TIMEZONE

Year = Annotated[int, Strict(), Field(ge=2000, le=2100, description="Assessment year, e.g. 2025.")]
RelativeYear = Literal["previous", "cycle"]
YearSpec = Year | RelativeYear
#: The annual assessment runs for a fixed year or the one before the run's start.
AnnualYear = Year | Literal["previous"]
Amount = Annotated[int, Strict(), Field(ge=1, description="CNY, an integer.")]
Text = Annotated[str, Strict(), Field(min_length=1)]
Db = Annotated[
    Text | None,
    Field(
        description="Warehouse file; default: env UNIONFLOW_DB of the worker, else ./unionflow.duckdb "
        "in the flow's working directory."
    ),
]
LockWait = Annotated[
    int,
    Strict(),
    Field(
        ge=0,
        le=6 * 3600,
        description="How long to wait for the warehouse if another process (e.g. a CLI command) holds it.",
    ),
]
Source = Annotated[
    Text, Field(description="Portal base URL (http/https) or a folder; `{year}` is replaced by the year.")
]
Out = Annotated[Text, Field(description="Folder for the published files; `{year}` is replaced by the year.")]
Docs = Annotated[
    Text | None, Field(description="Folder for the Data Docs site; `{year}` is replaced by the year.")
]
Deadline = Annotated[
    Text | None, Field(description="Submission deadline, ISO 8601 with offset [default: 15 Jan next year].")
]
Config = Annotated[Text | None, Field(description="Scoring config TOML [default: built in].")]
Supersede = Annotated[Text | None, Field(description="Reason for replacing an already published allocation.")]

#: The default wait for a locked warehouse (prefect.yaml sets the same).
LOCK_WAIT_SECONDS = 1800


def resolve_year(spec: int | str, now: dt.datetime | None = None) -> int:
    """The calendar year a year parameter stands for at `now` (default: the current time).

    `now` is read in Asia/Shanghai: a run due at 00:30 on 1 January Shanghai time is still
    31 December in UTC, and must count as January.
    """
    if isinstance(spec, int) and not isinstance(spec, bool):
        return spec
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(FEDERATION_TIMEZONE))
    if spec == "previous":
        return moment.year - 1
    if spec == "cycle":
        return moment.year if moment.month >= 7 else moment.year - 1
    raise ValueError(f"year must be an integer, 'previous' or 'cycle', not {spec!r}")


def with_year(template: str, year: int) -> str:
    """`template` with `{year}` replaced (a plain replace: other braces in paths stay as they are)."""
    return template.replace("{year}", str(year))
