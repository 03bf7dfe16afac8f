"""What a year's scoring reads: the active units, the accepted submissions and reviews, and the
year's quarantine."""

from __future__ import annotations

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
