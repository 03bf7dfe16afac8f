"""Budget scenarios: the SPEC §8 allocation under several parameters, exactly as `allocate` gives it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli import unionflow
from unionflow.assessment import allocate, load_config, with_overrides
from unionflow.assessment.config import ConfigError
from unionflow.assessment.scenarios import (
    Scenario,
    load_scenarios,
    run_scenarios,
    scenarios_from_options,
)
from warehouse import score_runs
from warehouse.connection import open_warehouse

CFG = load_config()
YEAR = 2025


def year_scores(n: int = 225, seed: int = 7) -> pd.DataFrame:
    """n units with totals 50..100 (some tied) and the grades their totals give."""
    rng = np.random.default_rng(seed)
    total = np.round(rng.uniform(50, 100, n), 1)
    total[:6] = 88.0  # a tie group
    grade = np.select([total >= 85, total >= 75, total >= 60], ["excellent", "good", "pass"], "fail")
    return pd.DataFrame(
        {
            "unit_id": [f"U{i:04d}" for i in range(n)],
            "name": [f"单位{i}" for i in range(n)],
            "total": total,
            "grade": grade,
        }
    )


REGIMES = [
    Scenario("all_capped", budget=10_000_000),
    Scenario("proportional", budget=1_000_000),
    Scenario("proportional_some_capped", budget=1_800_000),
    Scenario("proportional_fine_step", budget=1_234_500, floor=4_500, cap=18_000, step=50),
    Scenario("budget_exhausted", budget=200_000),
    Scenario("exhausted_big_floor", budget=600_000, floor=15_000, cap=30_000),
    Scenario("tiered", budget=2_000_000, method="tiered"),
]


def test_scenario_amounts_equal_allocate_unit_for_unit_in_every_regime() -> None:
    scores = year_scores()
    outcome = run_scenarios(scores, CFG, REGIMES)
    for scenario in REGIMES:
        cfg = with_overrides(
            CFG, budget=scenario.budget, floor=scenario.floor, cap=scenario.cap, step=scenario.step
        )
        if scenario.method:
            cfg = cfg.model_copy(
                update={"allocation": cfg.allocation.model_copy(update={"method": scenario.method})}
            )
        expected = allocate(scores[["unit_id", "total", "grade"]], cfg).allocations.set_index("unit_id")
        got = outcome.amounts.set_index("unit_id")[scenario.name]
        assert got.to_dict() == expected["amount_cny"].to_dict(), scenario.name


def test_the_regimes_are_what_their_names_say() -> None:
    summary = run_scenarios(year_scores(), CFG, REGIMES).summary.set_index("scenario")
    eligible = int(year_scores()["grade"].isin(["excellent", "good"]).sum())
    assert summary.loc["all_capped", "at_cap"] == eligible
    assert summary.loc["all_capped", "unallocated"] == 10_000_000 - eligible * 20_000
    assert summary.loc["proportional", "funded"] == eligible
    assert summary.loc["proportional", "unallocated"] < 100
    assert 0 < summary.loc["proportional_some_capped", "at_cap"] < eligible
    assert summary.loc["budget_exhausted", "funded"] <= 200_000 // 5_000 < eligible
    assert summary.loc["exhausted_big_floor", "funded"] <= 600_000 // 15_000


def test_summary_gives_funded_count_min_median_max_floor_cap_and_unallocated() -> None:
    scores = pd.DataFrame(
        {
            "unit_id": ["A", "B", "C", "D"],
            "total": [100.0, 90.0, 80.0, 75.0],
            "grade": ["excellent", "good", "good", "good"],
        }
    )
    cfg = with_overrides(CFG, budget=46_000, floor=5_000, cap=20_000, step=100)
    cfg = cfg.model_copy(update={"allocation": cfg.allocation.model_copy(update={"pass_mark": 70.0})})
    row = run_scenarios(scores, cfg, [Scenario("x")]).summary.iloc[0]
    assert row["funded"] == 4
    assert (row["min_amount"], row["median_amount"], row["max_amount"]) == (5_000, 10_500.0, 20_000)
    assert (row["at_floor"], row["at_cap"], row["unallocated"]) == (1, 1, 0)


def test_an_invalid_scenario_is_refused_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"scenario 'tight'.*allocation\.floor"):
        run_scenarios(year_scores(), CFG, [Scenario("ok", budget=900_000), Scenario("tight", floor=30_000)])


def test_a_tiered_scenario_beyond_the_budget_is_refused_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"scenario 'small'.*more than the budget"):
        run_scenarios(year_scores(), CFG, [Scenario("small", budget=100_000, method="tiered")])


def test_options_given_once_apply_to_every_scenario() -> None:
    made = scenarios_from_options([800_000, 1_000_000], [5_000], [], [], [])
    assert made == [
        Scenario("budget=800000", budget=800_000, floor=5_000),
        Scenario("budget=1000000", budget=1_000_000, floor=5_000),
    ]


def test_options_repeated_unequally_are_refused() -> None:
    with pytest.raises(ConfigError, match="repeated equally"):
        scenarios_from_options([800_000, 900_000, 1_000_000], [5_000, 6_000], [], [], [])


def test_scenario_file_keeps_names_and_order(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        "[scenarios.lean]\nbudget = 800000\n[scenarios.generous]\nbudget = 1200000\ncap = 25000\n"
    )
    assert load_scenarios(path) == [
        Scenario("lean", budget=800_000),
        Scenario("generous", budget=1_200_000, cap=25_000),
    ]


def test_scenario_file_with_an_unknown_key_is_refused_naming_the_scenario(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[scenarios.lean]\nbudjet = 800000\n")
    with pytest.raises(ConfigError, match="scenario 'lean': budjet"):
        load_scenarios(path)


# ------------------------------------------------------------------ command line


@pytest.fixture
def scored_db(tmp_path: Path) -> Path:
    """A warehouse holding one score run of YEAR (the constructed scores above)."""
    db = tmp_path / "w.duckdb"
    scores = year_scores(40).assign(
        year=YEAR,
        level="city",
        indicator_score=50.0,
        peer_score=50.0,
        bonus=0.0,
        rank=None,
        rank_in_level=None,
        n_reviews=5,
        flags="",
    )
    scores.loc[0, "name"] = "=HYPERLINK(1)"
    flags = pd.DataFrame(columns=["flag", "reviewer_unit_id", "reviewee_unit_id", "evidence"])
    with open_warehouse(db) as conn:
        score_runs.save_score_run(
            conn,
            year=YEAR,
            peer_method="trimmed_mean",
            config_hash="c",
            input_hash="i",
            scores=scores,
            flags=flags,
        )
    return db


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_scenarios_command_writes_one_amount_column_per_scenario_then_total(
    scored_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = unionflow(
        "scenarios",
        "--year",
        str(YEAR),
        "--db",
        str(scored_db),
        "--out",
        str(out),
        "--budget",
        "100000",
        "--budget",
        "300000",
    )
    assert result.code == 0, result.stderr
    rows = read_csv(out / "scenarios.csv")
    assert rows[0] == ["unit_id", "name", "total", "grade", "budget=100000", "budget=300000"]
    assert len(rows) == 1 + 40 + 1
    assert rows[-1][0] == "TOTAL"
    assert int(rows[-1][4]) == sum(int(r[4]) for r in rows[1:-1]) <= 100_000
    with open_warehouse(scored_db, read_only=True) as conn:
        scores = score_runs.scores_of(conn, 1)
    cfg = with_overrides(CFG, budget=300_000)
    expected = allocate(scores[["unit_id", "total", "grade"]], cfg).allocations.set_index("unit_id")[
        "amount_cny"
    ]
    assert {r[0]: int(r[5]) for r in rows[1:-1]} == expected.to_dict()
    summary = read_csv(out / "scenario_summary.csv")
    assert [r[0] for r in summary[1:]] == ["budget=100000", "budget=300000"]


def test_scenarios_csv_neutralises_formula_text(scored_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        unionflow(
            "scenarios", "--year", str(YEAR), "--db", str(scored_db), "--out", str(out), "--budget", "100000"
        ).code
        == 0
    )
    names = [r[1] for r in read_csv(out / "scenarios.csv")]
    assert "'=HYPERLINK(1)" in names and "=HYPERLINK(1)" not in names


def test_scenarios_command_refuses_an_invalid_scenario_with_exit_2_naming_it(
    scored_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[scenarios.ok]\nbudget = 800000\n[scenarios.odd]\nbudget = 800050\n")
    result = unionflow("scenarios", "--year", str(YEAR), "--db", str(scored_db), "--file", str(path))
    assert result.code == 2
    assert "scenario 'odd'" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_scenarios_command_on_an_unscored_year_says_so(scored_db: Path) -> None:
    result = unionflow("scenarios", "--year", "2024", "--db", str(scored_db), "--budget", "100000")
    assert result.code == 2
    assert "has not been scored" in result.stderr
