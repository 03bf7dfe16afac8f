"""`assign --check`: every rule broken by a year's assignment and by its valid reviews.

Read with DuckDB's own rows and checked pair by pair (`assignment_rules`), without pandas or
Prefect, so the check answers in about a second (issue 15).
"""

from __future__ import annotations

import duckdb

from unionflow.assessment.assignment_rules import AssignmentRules, UnitPlace, rule_violations
from warehouse.sql import records, statement

#: The columns of a finding, as `assign --check` prints them.
CHECK_COLUMNS = ("source", "reviewer_unit_id", "reviewee_unit_id", "rule", "detail")


def check_year(conn: duckdb.DuckDBPyConnection, year: int, rules: AssignmentRules) -> list[tuple[str, ...]]:
    """Every rule broken by the year's assignment and by its valid reviews, without changing anything.

    Rows of CHECK_COLUMNS, sorted; a review outside the assignment is `unassigned`.
    """
    units = {
        str(row["unit_id"]): UnitPlace(_text(row["district"]), _text(row["parent_union"]))
        for row in _rows(conn, "active_units", year)
    }
    assigned = [
        (str(r["reviewer_unit_id"]), str(r["reviewee_unit_id"])) for r in _rows(conn, "assignments", year)
    ]
    reviews = [
        (str(r["reviewer_unit_id"]), str(r["reviewee_unit_id"])) for r in _rows(conn, "reviewed_pairs", year)
    ]
    found: list[tuple[str, ...]] = [("assignment", *v) for v in rule_violations(assigned, units, rules)]
    found += [("reviews", *v) for v in rule_violations(reviews, units, rules)]
    if assigned and reviews:
        known = set(assigned)
        found += [
            ("reviews", reviewer, reviewee, "unassigned", "reviewed without being assigned")
            for reviewer, reviewee in reviews
            if (reviewer, reviewee) not in known
        ]
    return sorted(found)


def _rows(conn: duckdb.DuckDBPyConnection, name: str, year: int) -> list[dict[str, object]]:
    return records(conn, statement(name), {"year": year})


def _pairs(conn: duckdb.DuckDBPyConnection, name: str, year: int) -> list[tuple[str, str]]:
    return [(str(r["reviewer_unit_id"]), str(r["reviewee_unit_id"])) for r in _rows(conn, name, year)]


def _text(value: object) -> str | None:
    return None if value is None else str(value)
