"""What a year's scoring reads: the active units, the accepted submissions and reviews, and the
year's quarantine."""

from __future__ import annotations

import duckdb
import pandas as pd


def active_units(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """Pilot units active in `year`: the population that is scored and gets an allocation row."""
    return conn.sql(
        """
        select unit_id, name, level, district, batch, sector, parent_union
        from units
        where active_from <= $year and coalesce(active_to, 9999) >= $year
        order by unit_id
        """,
        params={"year": year},
    ).df()


def accepted_submissions(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The one current submission per unit for `year`."""
    return conn.sql(
        """
        select * exclude (innovation_value_cny, status, payload_id),
               cast(innovation_value_cny as double) as innovation_value_cny
        from submissions
        where year = $year and status = 'accepted'
        order by unit_id
        """,
        params={"year": year},
    ).df()


def accepted_reviews(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The current valid review of each reviewer → reviewee pair for `year`."""
    return conn.sql(
        """
        select review_id, reviewer_unit_id, reviewee_unit_id,
               guidance, skills, innovation, institution, service, submitted_at, comment
        from reviews
        where year = $year and status = 'accepted'
        order by review_id
        """,
        params={"year": year},
    ).df()


def accepted_review_scores(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """`accepted_reviews` without comment and submitted_at: what scoring and the GX suites read.

    The comments are most of the bytes: at 1,000,000 units, turning them into pandas strings
    only to drop them was a fifth of the scoring stage's load time.
    """
    return conn.sql(
        """
        select review_id, reviewer_unit_id, reviewee_unit_id,
               guidance, skills, innovation, institution, service
        from reviews
        where year = $year and status = 'accepted'
        order by review_id
        """,
        params={"year": year},
    ).df()


def year_quarantine(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The quarantine that concerns a year: its submissions and reviews, and the registry's units."""
    return conn.sql(
        """
        select record_kind, source_ref, unit_id, year, rule, message
        from quarantine
        where year = $year or record_kind = 'unit'
        order by case record_kind when 'unit' then 1 when 'submission' then 2 else 3 end, quarantine_id
        """,
        params={"year": year},
    ).df()
