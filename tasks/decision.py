"""What the report's decision-support sections show: budget scenarios and grade stability.

Read beside an allocation run (`tasks.reports.load_report_data`) and computed with the pure
`assessment.scenarios` and `assessment.stability`; nothing is stored.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from unionflow.assessment import ConfigError, resolve_config
from unionflow.assessment.config import AssessmentConfig
from unionflow.assessment.scenarios import report_scenarios
from unionflow.assessment.stability import unit_stability
from warehouse import inputs
from warehouse.review_exclusions import excluded_reviews
from warehouse.run_rows import AllocationRun

#: Above this many scored units the page leaves the bootstrap to `unionflow stability` (at
#: 100,000 units B = 200 takes about 20 s, too long for every publication).
REPORT_STABILITY_MAX_UNITS = 20_000


def run_config(run: AllocationRun, peer_method: object) -> AssessmentConfig:
    """The default config with an allocation run's own parameters and the score run's method."""
    cfg = resolve_config(
        None,
        budget=run.budget,
        floor=run.floor,
        cap=run.cap,
        step=run.step,
    )
    allocation = cfg.allocation.model_copy(update={"method": run.method or cfg.allocation.method})
    peer = cfg.peer.model_copy(update={"method": str(peer_method or cfg.peer.method)})
    return cfg.model_copy(update={"allocation": allocation, "peer": peer})


def decision_sections(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    run: AllocationRun,
    peer_method: object,
    scores: pd.DataFrame,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(budget scenario summary, stability per scored unit), each None when it cannot be shown."""
    try:
        cfg = run_config(run, peer_method)
    except (ConfigError, KeyError, ValueError):
        return None, None
    scored = scores[scores["total"].notna()]
    if scored.empty:
        return None, None
    scenarios = report_scenarios(scores, cfg)
    stability = None
    if len(scored) <= REPORT_STABILITY_MAX_UNITS and cfg.peer.method in ("trimmed_mean", "calibrated"):
        reviews = inputs.accepted_review_scores(conn, year)
        reviews = reviews[~reviews["review_id"].isin(excluded_reviews(conn, year))]
        try:
            stability = unit_stability(scores, reviews, cfg)
        except ValueError:  # the reviews changed since the score run: the page says nothing
            stability = None
        else:
            stability.insert(1, "name", stability["unit_id"].map(scores.set_index("unit_id")["name"]))
    return (None if scenarios.empty else scenarios), stability
