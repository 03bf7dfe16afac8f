"""Peer methods against the truth: synthetic ground truth, the PG1 method, `evaluate-methods`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli import unionflow
from unionflow.assessment import load_config, peer_scores, resolve_config
from unionflow.assessment.config import CRITERIA
from unionflow.assessment.evaluation import evaluate, method_metrics
from unionflow.assessment.pg1 import pg1_fit
from unionflow.synth import synthesize
from unionflow.synth.behaviours import evaluation_year
from unionflow.synth.truth import TRUTH_COLUMNS, TRUTH_FILE

CFG = load_config()


def lenient_year() -> tuple[pd.DataFrame, dict[str, float]]:
    """12 units, each reviewed by 4 of the others (a plain mean); reviewer U00 adds +12 points."""
    true = {f"U{i:02d}": 60.0 + 3.0 * i for i in range(12)}
    rows = []
    for i in range(12):
        for k in range(1, 5):
            reviewer = f"U{(i + k) % 12:02d}"
            mark = true[f"U{i:02d}"] + (12.0 if reviewer == "U00" else 0.0)
            rows.append(
                {"review_id": f"{i}-{k}", "reviewer_unit_id": reviewer, "reviewee_unit_id": f"U{i:02d}"}
                | dict.fromkeys(CRITERIA, mark)
            )
    return pd.DataFrame(rows), true


def test_pg1_finds_a_lenient_reviewer_and_removes_its_bias() -> None:
    reviews, true = lenient_year()
    scores, traits = pg1_fit(reviews)
    bias = traits.set_index("reviewer_unit_id")["bias"]
    # Biases are known up to a common shift (the prior centres them on 0): U00 stands out by ~12.
    assert bias["U00"] - bias.drop("U00").mean() == pytest.approx(12.0, abs=0.5)
    assert bias.drop("U00").std() < 0.1
    estimate = scores.set_index("unit_id")["pg1_skills"]
    trimmed = peer_scores(reviews, CFG, "trimmed_mean").set_index("unit_id")["peer_skills"]
    assert np.abs(trimmed - pd.Series(true)).max() == pytest.approx(3.0)  # 12 / 4 reviewers
    assert np.abs(estimate - pd.Series(true)).max() < 1.5


def test_pg1_is_deterministic() -> None:
    year = evaluation_year(60, 4)
    first = peer_scores(year.reviews, CFG, "pg1")
    pd.testing.assert_frame_equal(first, peer_scores(year.reviews.sample(frac=1, random_state=1), CFG, "pg1"))


def test_pg1_leaves_units_with_too_few_reviews_insufficient() -> None:
    reviews, _ = lenient_year()
    thin = reviews[~((reviews["reviewee_unit_id"] == "U03") & (reviews.index % 6 > 1))]
    peer = peer_scores(thin, CFG, "pg1").set_index("unit_id")
    assert peer.loc["U03", "n_reviews"] == 2 and np.isnan(peer.loc["U03", "peer_score"])


def test_pg1_is_a_config_choice() -> None:
    assert resolve_config(peer_method="pg1").peer.method == "pg1"


def test_evaluation_years_are_deterministic_for_a_seed() -> None:
    a, b = evaluation_year(80, 3), evaluation_year(80, 3)
    pd.testing.assert_frame_equal(a.reviews, b.reviews)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not a.reviews.equals(evaluation_year(80, 4).reviews)


def test_realistic_years_plant_every_reviewer_behaviour_and_vary_review_counts() -> None:
    year = evaluation_year(225, 1)
    assert set(year.reviewers["behaviour"]) == {"honest", "noisy", "flat", "contrarian", "colluder"}
    assert year.reviewers["leniency"].std() > 3
    counts = year.reviews["reviewee_unit_id"].value_counts()
    assert counts.min() <= 4 and counts.max() >= 8
    assert not (year.reviews["reviewer_unit_id"] == year.reviews["reviewee_unit_id"]).any()


def test_metrics_are_perfect_for_reviews_equal_to_the_truth() -> None:
    reviews, true = lenient_year()
    exact = reviews[reviews["reviewer_unit_id"] != "U00"]
    truth = pd.DataFrame({"unit_id": list(true), "true_peer": list(true.values()), "true_indicator": 80.0})
    metrics = method_metrics(exact, truth, CFG, ["trimmed_mean"]).iloc[0]
    assert metrics["spearman"] == pytest.approx(1.0)
    assert metrics["rmse"] == pytest.approx(0.0, abs=1e-9)
    assert metrics["funding_disagreement"] == 0.0


def test_pg1_has_at_least_20_percent_lower_rmse_than_trimmed_mean_on_realistic_reviewers() -> None:
    seeds = [1, 2, 3]
    years = [evaluation_year(225, s) for s in seeds]
    _, means = evaluate([(y.reviews, y.truth) for y in years], seeds, CFG)
    change = means.set_index("method")["rmse_change"]
    assert change["pg1"] <= -0.20


def test_synth_writes_the_ground_truth_beside_the_manifest(tmp_path: Path) -> None:
    synthesize(tmp_path, units=40, year=2025, seed=3)
    truth = pd.read_csv(tmp_path / TRUTH_FILE)
    assert (tmp_path / "manifest.json").is_file()
    assert tuple(truth.columns) == TRUTH_COLUMNS
    units = pd.read_csv(tmp_path / "units.csv", dtype=str)
    assert set(truth["unit_id"]) <= set(units.iloc[:, 0])
    assert {"flat", "contrarian", "colluder"} <= set(truth["behaviour"])


def test_evaluate_methods_prints_every_method_for_three_seeds() -> None:
    result = unionflow("evaluate-methods", "--seeds", "1,2,3", "--units", "60", "--setting", "realistic")
    assert result.code == 0, result.stderr
    for word in ("trimmed_mean", "median", "calibrated", "pg1", "mean", "Spearman", "RMSE"):
        assert word in result.stdout
    assert sum(line.count("pg1") for line in result.stdout.splitlines()) == 4


def test_evaluate_methods_refuses_bad_seeds_with_exit_2() -> None:
    result = unionflow("evaluate-methods", "--seeds", "one")
    assert result.code == 2 and "--seeds" in result.stderr
