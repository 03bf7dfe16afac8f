"""What a year's scoring reads: the active units, the accepted submissions and reviews, and the
year's quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from warehouse.sql import statement

if TYPE_CHECKING:
    import pandas as pd  # only in annotations: reading a row needs no pandas (issue 15)


def active_units(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """Pilot units active in `year`: the population that is scored and gets an allocation row."""
    return conn.sql(statement("active_units"), params={"year": year}).df()


def accepted_submissions(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The one current submission per unit for `year`."""
    return conn.sql(statement("accepted_submissions"), params={"year": year}).df()


def accepted_reviews(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The current valid review of each reviewer → reviewee pair for `year`."""
    return conn.sql(statement("accepted_reviews"), params={"year": year}).df()


def accepted_review_scores(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """`accepted_reviews` without comment and submitted_at: what scoring and the GX suites read."""
    return conn.sql(statement("accepted_review_scores"), params={"year": year}).df()


def year_quarantine(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The quarantine that concerns a year: its submissions and reviews, and the registry's units."""
    return conn.sql(statement("year_quarantine"), params={"year": year}).df()


@dataclass(frozen=True)
class ScoreInputs:
    """What scoring a year reads now, and the hash a score run made from it records."""

    units: pd.DataFrame
    submissions: pd.DataFrame
    #: accepted reviews without those a steward excluded (left out of flags and peer scores)
    reviews: pd.DataFrame
    excluded: list[str]
    input_hash: str


def score_inputs(conn: duckdb.DuckDBPyConnection, year: int) -> ScoreInputs:
    """The year's scoring inputs and their hash: a score run whose `input_hash` differs is stale
    (a steward's release, reject or review exclusion, or a new collection changed them)."""
    import pandas as pd  # scoring's frames; the fast readers above need no pandas

    from unionflow.assessment.fingerprints import frames_hash
    from warehouse.review_exclusions import excluded_reviews

    units = active_units(conn, year)
    submissions = accepted_submissions(conn, year)
    reviews = accepted_review_scores(conn, year)
    excluded = excluded_reviews(conn, year)
    scoring = reviews[~reviews["review_id"].isin(excluded)]
    input_hash = frames_hash(
        {
            "units": units[["unit_id", "name", "level"]],
            "submissions": submissions,
            "reviews": scoring,
            "excluded": pd.DataFrame({"review_id": excluded}, dtype=object),
        }
    )
    return ScoreInputs(units, submissions, scoring, excluded, input_hash)
