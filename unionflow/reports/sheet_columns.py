"""The columns of report.xlsx's data sheets: CSV name, cell kind and width (read by `xlsx`)."""

from __future__ import annotations

from dataclasses import dataclass

from unionflow.reports.csv_files import ALLOCATIONS_HEADER, SCORES_HEADER


@dataclass(frozen=True)
class Column:
    """A data-sheet column: its CSV name, how its cells are written, and its width in characters."""

    name: str
    kind: str  # text | int | score | cny
    width: float
    vocabulary: str | None = None  # catalogue section of a coded column (translated in Chinese)


SCORES_COLUMNS = (
    Column("year", "int", 8),
    Column("unit_id", "text", 14),
    Column("name", "text", 44),
    Column("level", "text", 9, "level"),
    Column("indicator_score", "score", 14),
    Column("peer_score", "score", 12),
    Column("bonus", "score", 9),
    Column("total", "score", 10),
    Column("rank", "int", 7),
    Column("rank_in_level", "int", 12),
    Column("grade", "text", 11, "grade"),
    Column("n_reviews", "int", 10),
    Column("flags", "text", 24, "flag"),
)
ALLOCATIONS_COLUMNS = (
    Column("year", "int", 8),
    Column("unit_id", "text", 14),
    Column("name", "text", 44),
    Column("total", "score", 10),
    Column("grade", "text", 11, "grade"),
    Column("amount_cny", "cny", 14),
    Column("reason", "text", 17, "reason"),
)
FLAGS_COLUMNS = (
    Column("flag", "text", 18, "flag"),
    Column("reviewer_unit_id", "text", 16),
    Column("reviewer_name", "text", 30),
    Column("reviewee_unit_id", "text", 16),
    Column("reviewee_name", "text", 30),
    Column("summary", "text", 70),
    Column("evidence", "text", 50),
)
#: In Chinese the raw JSON evidence (English keys, for auditors) is left to the English workbook;
#: the summary column says the same in words.
FLAGS_COLUMNS_ZH = FLAGS_COLUMNS[:-1]
QUARANTINE_COLUMNS = (
    Column("record_kind", "text", 12, "record_kind"),
    Column("source_ref", "text", 42),
    Column("unit_id", "text", 14),
    Column("name", "text", 30),
    Column("year", "int", 8),
    Column("rule", "text", 24, "rule"),
    Column("message", "text", 90),
)
#: In Chinese the message column explains the rules in Chinese; the contract's own message (which
#: quotes the received values and field names) follows, labelled as untranslated.
QUARANTINE_COLUMNS_ZH = (*QUARANTINE_COLUMNS, Column("detail", "text", 90))
#: Decision support (drafts beside the allocation): the budget scenarios and per-unit stability.
SCENARIOS_COLUMNS = (
    Column("share", "int", 10),
    Column("method", "text", 30, "method"),
    Column("budget", "cny", 14),
    Column("floor", "cny", 10),
    Column("cap", "cny", 10),
    Column("step", "cny", 8),
    Column("funded", "int", 9),
    Column("min_amount", "cny", 12),
    Column("median_amount", "cny", 14),
    Column("max_amount", "cny", 12),
    Column("at_floor", "int", 9),
    Column("at_cap", "int", 9),
    Column("allocated", "cny", 14),
    Column("unallocated", "cny", 14),
)
STABILITY_COLUMNS = (
    Column("unit_id", "text", 14),
    Column("name", "text", 44),
    Column("total", "score", 10),
    Column("grade", "text", 11, "grade"),
    Column("n_reviews", "int", 10),
    Column("total_low", "score", 10),
    Column("total_high", "score", 10),
    Column("grade_kept_share", "score", 12),
    Column("funded", "text", 8),
    Column("funded_share", "score", 12),
    Column("borderline", "text", 10),
)
TREND_COLUMNS = (
    Column("year", "int", 8),
    Column("unit_id", "text", 14),
    Column("name", "text", 44),
    Column("total", "score", 10),
    Column("grade", "text", 11, "grade"),
    Column("rank", "int", 7),
    Column("amount_cny", "cny", 14),
)
assert tuple(c.name for c in SCORES_COLUMNS) == SCORES_HEADER
assert tuple(c.name for c in ALLOCATIONS_COLUMNS) == ALLOCATIONS_HEADER
