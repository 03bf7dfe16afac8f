"""The bench's same-work floors (issue 20) do the same work as unionflow on a synthetic year.

One small year goes through unionflow (collect, contracts, scoring, allocation, publish, the GX
records suites) and through each floor of unionflow/bench/floors; the results must agree: same
payloads landed, same quarantine rule lists per record, same accepted rows column by column, same
expectation outcomes, same scores and flags, byte-identical CSV files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from unionflow.bench import floor_work, same_work

YEAR = same_work.YEAR


@dataclass(frozen=True)
class Checked:
    year: same_work.Year
    conn: duckdb.DuckDBPyConnection
    collected: duckdb.DuckDBPyConnection
    work: Path


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checked]:
    from tasks.collect import default_deadline
    from tasks.validate import _run_stage, records_frames
    from warehouse.connection import open_warehouse

    work = tmp_path_factory.mktemp("floors")
    year = same_work.build_year(work, 300)
    with open_warehouse(year.db) as conn, duckdb.connect(str(work / "floor-collect.duckdb")) as collected:
        suites = ("submissions.critical", "submissions.warning", "reviews.critical", "reviews.warning")
        _run_stage(conn, YEAR, "records", suites, records_frames(conn, YEAR), None)
        floor_work.prepare(collected)
        floor_work.collect(collected, floor_work.SourceFiles.of(year.source))
        floor_work.prepare(conn)
        floor_work.contracts(conn, YEAR, default_deadline(YEAR).to_pydatetime())
        yield Checked(year, conn, collected, work)


def rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return conn.execute(sql).fetchall()


def test_collect_floor_lands_every_payload_of_the_utf8_files_as_unionflow_does(checked: Checked) -> None:
    mine = rows(
        checked.conn,
        "select split_part(source_ref, '#', 1), sha256 from raw_payloads"
        " where source_ref not like '%.xlsx#%' and source_ref not like '%gbk%' order by all",
    )
    floor = rows(
        checked.collected,
        f"select replace(filename, '{checked.year.source}/', ''), sha256"
        " from bench_floor.raw_payloads order by all",
    )
    assert len(mine) > 1000
    assert floor == mine


def test_collect_floor_hashes_each_file_as_unionflow_receipts_it(checked: Checked) -> None:
    mine = rows(
        checked.conn,
        "select path, sha256 from received_files"
        " where path not like '%.xlsx' and path not like '%gbk%' order by all",
    )
    floor = rows(
        checked.collected,
        f"select replace(path, '{checked.year.source}/', ''), sha256"
        " from bench_floor.received_files order by all",
    )
    assert floor == mine


def test_contracts_floor_quarantines_the_same_records_with_the_same_rule_lists(checked: Checked) -> None:
    mine = rows(
        checked.conn,
        "select payload_id, rule, unit_id from quarantine where record_kind <> 'unit' order by payload_id",
    )
    floor = rows(
        checked.conn, "select payload_id, rule, unit_id from bench_floor.quarantine order by payload_id"
    )
    assert len(mine) > 10
    assert floor == mine


@pytest.mark.parametrize("table", ["submissions", "reviews"])
def test_contracts_floor_keeps_the_same_rows_column_by_column(checked: Checked, table: str) -> None:
    mine = rows(checked.conn, f"select * from main.{table} order by payload_id")
    floor = rows(checked.conn, f"select * from bench_floor.{table} order by payload_id")
    columns = [r[0] for r in rows(checked.conn, f"describe main.{table}")]
    assert [r[0] for r in rows(checked.conn, f"describe bench_floor.{table}")] == columns
    assert len(mine) > 100
    assert floor == mine


def test_gx_floor_passes_and_fails_each_records_expectation_as_gx_does(checked: Checked) -> None:
    summaries = rows(checked.conn, f"select summary from validation_runs where year = {YEAR}")
    gx = {
        e["check"]: bool(e["success"])
        for (summary,) in summaries
        for e in json.loads(str(summary))["expectations"]
    }
    assert len(gx) == 18
    assert floor_work.gx_records(checked.conn, YEAR) == gx


def test_score_floor_gives_the_same_scores_ranks_grades_and_flags(checked: Checked) -> None:
    floor_work.score(checked.conn, YEAR)
    columns = (
        "unit_id, name, level, indicator_score, peer_score, bonus, total, rank, rank_in_level, grade,"
        " n_reviews, flags"
    )
    mine = rows(
        checked.conn,
        f"select {columns} from scores where score_run_id = {checked.year.score_run_id} order by unit_id",
    )
    floor = rows(checked.conn, f"select {columns} from bench_floor.scores order by unit_id")
    assert len(mine) > 250  # the active units of a 300-unit registry
    assert floor == mine


def test_score_floor_raises_the_same_review_flags(checked: Checked) -> None:
    floor_work.score(checked.conn, YEAR)
    mine = rows(
        checked.conn,
        "select flag, reviewer_unit_id, reviewee_unit_id from review_flags"
        f" where score_run_id = {checked.year.score_run_id} order by all",
    )
    floor = rows(
        checked.conn,
        "select flag, reviewer_unit_id, reviewee_unit_id from bench_floor.review_flags order by all",
    )
    assert floor == mine


def test_csv_floor_writes_byte_identical_files(checked: Checked) -> None:
    from tasks.publish import write_csv_outputs

    ids = (checked.year.allocation_run_id, checked.year.score_run_id)
    mine = write_csv_outputs(checked.conn, YEAR, *ids, checked.work / "csv")
    floor = floor_work.csv_files(checked.conn, YEAR, *ids, checked.work / "floor-csv")
    assert [path.read_bytes() for path in floor] == [path.read_bytes() for path in mine]


def test_xlsx_floor_writes_every_row_of_the_four_tables(checked: Checked) -> None:
    written = floor_work.xlsx(
        checked.conn,
        YEAR,
        checked.year.allocation_run_id,
        checked.year.score_run_id,
        checked.work / "floor.xlsx",
    )
    expected = rows(
        checked.conn,
        f"select (select count(*) from scores where score_run_id = {checked.year.score_run_id})"
        f" + (select count(*) from allocations where allocation_run_id = {checked.year.allocation_run_id})"
        f" + (select count(*) from review_flags where score_run_id = {checked.year.score_run_id})"
        f" + (select count(*) from quarantine where year = {YEAR} or record_kind = 'unit')",
    )[0][0]
    assert written == expected
