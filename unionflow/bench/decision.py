"""`make bench`, decision-support section: stability bootstrap, scenarios and evaluate-methods.

    python -m unionflow.bench.decision [--cases 225:1000,100000:200]

Each case runs in its own child process on an in-memory year (units with five reviews each from
random reviewers, indicator scores uniform): building the year is not timed, the bootstrap is.
Targets (issue 18): 225 units with B = 1,000 under 3 s; 100,000 units with B = 200 under 60 s
and 4 GiB. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from unionflow.bench.__main__ import child

TARGETS = {(225, 1000): (3.0, None), (100_000, 200): (60.0, 4 * 1024)}
SCENARIO_BUDGETS = (600_000, 800_000, 1_000_000, 1_200_000, 1_500_000)


def constructed_year(units: int, per_unit: int = 5, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and valid reviews of ``units`` units scored like SPEC §7 (pure, in memory)."""
    from unionflow.assessment import assign_grades, load_config, peer_scores
    from unionflow.assessment.config import CRITERIA

    cfg = load_config()
    rng = np.random.default_rng(seed)
    ids = np.array([f"U{i:07d}" for i in range(units)], dtype=object)
    quality = rng.uniform(50, 98, units)
    reviewee = np.repeat(np.arange(units), per_unit)
    reviewer = (reviewee + rng.integers(1, units, reviewee.size)) % units
    marks = np.clip(
        quality[reviewee, None] + rng.normal(0, 6, (reviewee.size, len(CRITERIA))), 0, 100
    ).round()
    reviews = pd.DataFrame(marks, columns=list(CRITERIA))
    reviews.insert(0, "reviewee_unit_id", ids[reviewee])
    reviews.insert(0, "reviewer_unit_id", ids[reviewer])
    reviews.insert(0, "review_id", [f"R{i:08d}" for i in range(reviewee.size)])
    peer = peer_scores(reviews, cfg)
    indicator = np.clip(quality + rng.normal(0, 8, units), 0, 100)
    scores = pd.DataFrame(
        {"unit_id": peer["unit_id"], "name": peer["unit_id"], "indicator_score": indicator, "bonus": 0.0}
    )
    scores["total"] = np.minimum(100.0, 0.4 * indicator + 0.6 * peer["peer_score"].to_numpy())
    scores["grade"] = assign_grades(scores["total"], pd.Series(True, index=scores.index), cfg)
    return scores, reviews


def case(kind: str, units: int, resamples: int) -> list[dict[str, object]]:
    """One measured case (in this process)."""
    from unionflow.assessment import load_config
    from unionflow.assessment.scenarios import Scenario, run_scenarios
    from unionflow.assessment.stability import unit_stability

    cfg = load_config()
    if kind == "evaluate":
        from unionflow.assessment.evaluation import evaluate
        from unionflow.synth.behaviours import evaluation_year

        started = time.perf_counter()
        years = [evaluation_year(units, seed) for seed in (1, 2, 3)]
        _, means = evaluate([(y.reviews, y.truth) for y in years], [1, 2, 3], cfg)
        change = float(means.set_index("method").loc["pg1", "rmse_change"])
        return [{"seconds": time.perf_counter() - started, "records": round(change * 100)}]
    scores, reviews = constructed_year(units)
    started = time.perf_counter()
    if kind == "stability":
        result = unit_stability(scores, reviews, cfg, resamples=resamples)
        records = int(result["borderline"].sum())
    else:
        scenarios = [Scenario(f"b{b}", budget=b) for b in SCENARIO_BUDGETS]
        run_scenarios(scores[["unit_id", "total", "grade"]], cfg, scenarios)
        records = len(scenarios)
    return [{"seconds": time.perf_counter() - started, "records": records}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default="225:1000,100000:200", help="units:resamples, comma-separated")
    parser.add_argument("--case", nargs=3, metavar=("KIND", "UNITS", "B"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        kind, units, resamples = options.case
        print(json.dumps(case(kind, int(units), int(resamples))))
        return
    table = Table(title="unionflow bench: decision support (this machine)")
    for column in ("case", "units", "B", "wall s", "peak RSS MiB", "result", "target"):
        table.add_column(column, justify="left" if column in ("case", "target") else "right")
    for spec in options.cases.split(","):
        units, resamples = (int(part) for part in spec.split(":"))
        # evaluate-methods works on 225-unit years; the large case measures the bootstrap only.
        for kind in ("stability", "scenarios", *(("evaluate",) if units <= 10_000 else ())):
            rows, _, rss = child(
                ["-m", "unionflow.bench.decision", "--case", kind, str(units), str(resamples)]
            )
            seconds, records = float(str(rows[0]["seconds"])), int(str(rows[0]["records"]))
            seconds_target, rss_target = TARGETS.get((units, resamples), (None, None))
            target = ""
            if kind == "stability" and seconds_target is not None:
                target = f"< {seconds_target:.0f} s" + (f", < {rss_target:,} MiB" if rss_target else "")
            result = {
                "stability": f"{records} borderline",
                "scenarios": f"{records} scenarios",
                "evaluate": f"pg1 RMSE {records:+d} % vs trimmed mean (3 seeds)",
            }[kind]
            table.add_row(
                kind,
                f"{units:,}",
                f"{resamples:,}" if kind == "stability" else "",
                f"{seconds:.2f}",
                f"{rss:,.0f}",
                result,
                target,
            )
    Console(width=150).print(table)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
