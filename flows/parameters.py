"""Parameters of the deployment flows (prefect.yaml): strict pydantic models.

A deployment's parameters come from prefect.yaml, from the UI or from an API call, so nothing checks
them before the flow starts the way the CLI's preflight does. Hence strict models: no silent coercion
(`"2025"` is not a year), no unknown keys (a typo such as `budjet` fails instead of being ignored),
and the year is always explicit. A scheduled run cannot know a fixed year in advance, so a year may
be given relative to the run's start, resolved in the federation's time zone (Asia/Shanghai):

- `"previous"`: the calendar year before the run's start (the 20 January annual assessment);
- `"cycle"`: the assessment year whose collection window is open: the current year from July to
  December, the previous year from January to June (a collection run on 10 January still collects
  the year whose submissions are due on 15 January).

A bad parameter fails the flow run before it does anything, with Prefect's message naming the field,
e.g. `params.year: Input should be a valid integer`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from unionflow.clock import FEDERATION_TIMEZONE

Year = Annotated[int, Field(ge=2000, le=2100, description="Assessment year, e.g. 2025.")]
RelativeYear = Literal["previous", "cycle"]
YearSpec = Year | RelativeYear
Amount = Annotated[int, Field(ge=1, description="CNY, an integer.")]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    """Base of every parameter model: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class WarehouseParameters(_Strict):
    """Where the warehouse is; shared by every deployment."""

    db: Text | None = Field(
        default=None,
        description="Warehouse file; default: env UNIONFLOW_DB of the worker, else ./unionflow.duckdb "
        "in the flow's working directory.",
    )
    lock_wait_seconds: Annotated[int, Field(ge=0, le=6 * 3600)] = Field(
        default=1800,
        description="How long to wait for the warehouse if another process (e.g. a CLI command) holds it.",
    )


class CollectParameters(WarehouseParameters):
    """The `collect` deployment: land, validate and load one year's records."""

    year: YearSpec
    source: Text = Field(
        description="Portal base URL (http/https) or a folder; `{year}` is replaced by the resolved year."
    )
    deadline: Text | None = Field(
        default=None, description="Submission deadline, ISO 8601 with offset [default: 15 Jan next year]."
    )


class ValidateParameters(WarehouseParameters):
    """The `validate` deployment: validate what was collected and build Data Docs."""

    year: YearSpec
    docs: Text | None = Field(
        default=None, description="Folder for the Data Docs site; `{year}` is replaced by the year."
    )


class AnnualParameters(WarehouseParameters):
    """The `annual-assessment` deployment: the whole cycle for one year."""

    year: Year | Literal["previous"]
    source: Text = Field(description="Portal base URL or folder; `{year}` is replaced by the year.")
    out: Text = Field(description="Folder for the published files; `{year}` is replaced by the year.")
    config: Text | None = Field(default=None, description="Scoring config TOML [default: built in].")
    budget: Amount | None = None
    floor: Amount | None = None
    cap: Amount | None = None
    step: Amount | None = None
    supersede: Text | None = Field(
        default=None, description="Reason for replacing an already published allocation."
    )


class PublishParameters(WarehouseParameters):
    """The manual `publish` deployment: a fixed year, never a relative one."""

    year: Year
    out: Text = Field(description="Folder for the published files; `{year}` is replaced by the year.")
    supersede: Text | None = Field(
        default=None, description="Reason for replacing an already published allocation."
    )


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
