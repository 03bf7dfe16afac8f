"""Earlier years' published results, for the year-over-year view of a report."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.sql import statement


def unit_history(conn: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """``year, unit_id, total, grade, rank, amount_cny`` of every year before ``year`` that has a
    published allocation run (empty when none has)."""
    return conn.sql(statement("marts_unit_history"), params={"year": year}).df()
