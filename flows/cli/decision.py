"""Decision support for the review meeting: `scenarios` (and `stability`, `evaluate-methods`).

These commands only read the warehouse (the latest score run of a year) and write draft files;
nothing they compute is stored or published. User mistakes raise errors that `flows.cli.main`
turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flows.cli.options import ConfigOption, DbOption, UsageProblem, YearOption, console, db_path

app = typer.Typer()

BudgetsOption = Annotated[
    list[int] | None, typer.Option("--budget", help="Budget in CNY; repeat for several scenarios.")
]
FloorsOption = Annotated[list[int] | None, typer.Option("--floor", help="Floor in CNY; repeatable.")]
CapsOption = Annotated[list[int] | None, typer.Option("--cap", help="Cap in CNY; repeatable.")]
StepsOption = Annotated[list[int] | None, typer.Option("--step", help="Step in CNY; repeatable.")]
MethodsOption = Annotated[
    list[str] | None, typer.Option("--method", help="Allocation method: proportional or tiered; repeatable.")
]
ScenarioFileOption = Annotated[
    Path | None, typer.Option("--file", help="TOML file of named scenarios (one scenarios.NAME table each).")
]
DecisionOutOption = Annotated[Path, typer.Option("--out", help="Folder for the draft files.")]


def latest_scores(db: Path, year: int) -> object:
    """The year's latest score table (read-only), or a clear error when it was never scored."""
    from warehouse import score_runs
    from warehouse.connection import MissingData, open_warehouse
    from warehouse.missing import not_scored

    with open_warehouse(db, read_only=True) as conn:
        latest = score_runs.latest_score_run(conn, year)
        if latest is None:
            raise not_scored(year)
        scores = score_runs.scores_of(conn, latest.score_run_id)
    if not scores["total"].notna().any():
        raise MissingData(f"{year} has no scored unit (every unit is missing or incomplete)")
    return scores


@app.command("scenarios")
def scenarios_command(
    year: YearOption,
    db: DbOption = None,
    config: ConfigOption = None,
    budget: BudgetsOption = None,
    floor: FloorsOption = None,
    cap: CapsOption = None,
    step: StepsOption = None,
    method: MethodsOption = None,
    file: ScenarioFileOption = None,
    out: DecisionOutOption = Path("out/scenarios"),
) -> None:
    """Allocate the latest scores under several budget scenarios (a draft; nothing is stored).

    Repeat --budget/--floor/--cap/--step/--method for several scenarios (an option given once
    applies to all), or name them in a TOML file with --file. Writes scenarios.csv (one amount
    column per scenario, then TOTAL) and scenario_summary.csv to --out.
    """
    import pandas as pd

    from flows.cli.options import checked_config
    from unionflow.assessment import resolve_config
    from unionflow.assessment.scenarios import load_scenarios, run_scenarios, scenarios_from_options
    from unionflow.reports.decision_files import write_scenario_summary, write_scenarios

    config_path = checked_config(config)
    given = [budget, floor, cap, step, method]
    if file is not None and any(given):
        raise UsageProblem("give scenarios either as options (--budget …) or in --file, not both")
    if file is not None and not file.is_file():
        raise UsageProblem(f"scenario file {file} does not exist")
    scenarios = (
        load_scenarios(file)
        if file is not None
        else scenarios_from_options(budget or [], floor or [], cap or [], step or [], method or [])
    )
    cfg = resolve_config(config_path)
    scores = latest_scores(db_path(db), year)
    assert isinstance(scores, pd.DataFrame)
    outcome = run_scenarios(scores[["unit_id", "name", "total", "grade"]], cfg, scenarios)
    out.mkdir(parents=True, exist_ok=True)
    names = [s.name for s in scenarios]
    write_scenarios(out / "scenarios.csv", outcome.amounts, names)
    write_scenario_summary(out / "scenario_summary.csv", outcome.summary)

    table = Table(title=f"Budget scenarios {year} (draft)")
    for column in ("scenario", "budget", "floor", "cap", "step", "funded", "min", "median", "max"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for column in ("at floor", "at cap", "unallocated"):
        table.add_column(column, justify="right")

    def cny(value: object) -> str:
        return "" if value is None or value != value else f"{float(str(value)):,.0f}"

    for row in outcome.summary.to_dict("records"):
        table.add_row(
            escape(str(row["scenario"])),
            *(cny(row[k]) for k in ("budget", "floor", "cap", "step")),
            str(row["funded"]),
            *(cny(row[k]) for k in ("min_amount", "median_amount", "max_amount")),
            str(row["at_floor"]),
            str(row["at_cap"]),
            cny(row["unallocated"]),
        )
    console.print(table)
    console.print(f"wrote {out / 'scenarios.csv'} and {out / 'scenario_summary.csv'}", highlight=False)


ResamplesOption = Annotated[
    int | None, typer.Option("--resamples", min=1, help="Bootstrap resamples [config stability.resamples]")
]
SeedOption = Annotated[int | None, typer.Option("--seed", min=0, help="Random seed [config stability.seed]")]


def scoring_reviews(db: Path, year: int) -> object:
    """The valid reviews scoring reads: accepted, minus those a steward excluded."""
    from warehouse import inputs
    from warehouse.connection import open_warehouse
    from warehouse.review_exclusions import excluded_reviews

    with open_warehouse(db, read_only=True) as conn:
        reviews = inputs.accepted_review_scores(conn, year)
        excluded = excluded_reviews(conn, year)
    return reviews[~reviews["review_id"].isin(excluded)]


@app.command("stability")
def stability_command(
    year: YearOption,
    db: DbOption = None,
    config: ConfigOption = None,
    resamples: ResamplesOption = None,
    seed: SeedOption = None,
    out: DecisionOutOption = Path("out/stability"),
) -> None:
    """How stable each unit's grade and funding are: a seeded bootstrap of its valid reviews.

    Writes stability.csv (the 90 % interval of the total, the share of resamples keeping the
    grade, the share funded, borderline) and lists the borderline units to discuss at the meeting.
    A draft: nothing is stored or published.
    """
    import pandas as pd

    from flows.cli.options import checked_config
    from unionflow.assessment import ConfigError, resolve_config
    from unionflow.assessment.stability import unit_stability
    from unionflow.reports.decision_files import write_stability

    cfg = resolve_config(checked_config(config))
    path = db_path(db)
    scores = latest_scores(path, year)
    reviews = scoring_reviews(path, year)
    assert isinstance(scores, pd.DataFrame) and isinstance(reviews, pd.DataFrame)
    b = cfg.stability.resamples if resamples is None else resamples
    with console.status(f"resampling {year}'s reviews {b:,} times …"):
        try:
            result = unit_stability(scores, reviews, cfg, resamples=resamples, seed=seed)
        except ValueError as problem:
            if isinstance(problem, ConfigError):
                raise
            raise UsageProblem(
                f"{problem}: the reviews changed since {year} was scored; run `unionflow score --year {year}`"
            ) from None
    result.insert(1, "name", result["unit_id"].map(scores.set_index("unit_id")["name"]))
    out.mkdir(parents=True, exist_ok=True)
    write_stability(out / "stability.csv", result)

    borderline = result[result["borderline"]]
    table = Table(title=f"To discuss at the meeting: {len(borderline)} borderline units ({year}, draft)")
    for column in ("unit", "name", "total", "90 % interval", "grade", "grade kept", "funded", "funded in"):
        table.add_column(column, justify="right" if column not in ("unit", "name", "grade") else "left")
    for row in borderline.to_dict("records"):
        table.add_row(
            escape(str(row["unit_id"])),
            escape(str(row["name"])),
            f"{row['total']:.2f}",
            f"{row['total_low']:.2f} – {row['total_high']:.2f}",
            str(row["grade"]),
            f"{row['grade_kept_share']:.0%}",
            "yes" if row["funded"] else "no",
            f"{row['funded_share']:.0%}",
        )
    console.print(table)
    used_seed = cfg.stability.seed if seed is None else seed
    console.print(
        f"{len(result)} scored units resampled {b:,} times (seed {used_seed}): "
        f"{len(borderline)} borderline; wrote {out / 'stability.csv'}",
        highlight=False,
    )


SeedsOption = Annotated[str, typer.Option("--seeds", help="Comma-separated seeds of the synthetic years.")]
UnitsOption = Annotated[int, typer.Option("--units", min=20, help="Units per synthetic year.")]
SettingOption = Annotated[
    list[str] | None,
    typer.Option("--setting", help="Reviewer behaviour: realistic, honest; repeatable [both]."),
]


def checked_seeds(seeds: str) -> list[int]:
    """`--seeds 1,2,3` as integers (at least one)."""
    try:
        values = [int(part) for part in seeds.split(",") if part.strip()]
    except ValueError:
        raise UsageProblem(f"--seeds must be comma-separated integers, not {seeds!r}") from None
    if not values or min(values) < 0:
        raise UsageProblem(f"--seeds must name at least one non-negative integer, not {seeds!r}")
    return values


@app.command("evaluate-methods")
def evaluate_methods_command(
    config: ConfigOption = None,
    seeds: SeedsOption = "1,2,3",
    units: UnitsOption = 225,
    setting: SettingOption = None,
) -> None:
    """Measure every peer method against the truth on synthetic years with known true quality.

    Per setting and seed: Spearman correlation with the true peer scores, RMSE on the 0–100
    scale, and the share of units whose funding decision differs from the one the true scores
    give; then the mean over the seeds. Needs no warehouse.
    """
    from flows.cli.options import checked_config
    from unionflow.assessment import resolve_config
    from unionflow.assessment.evaluation import evaluate
    from unionflow.synth.behaviours import SETTINGS, evaluation_year

    cfg = resolve_config(checked_config(config))
    chosen = setting or ["realistic", "honest"]
    for name in chosen:
        if name not in SETTINGS:
            raise UsageProblem(f"--setting must be one of {', '.join(SETTINGS)}, not {name!r}")
    seed_list = checked_seeds(seeds)
    for name in chosen:
        years = [evaluation_year(units, seed, name) for seed in seed_list]
        per_seed, means = evaluate([(y.reviews, y.truth) for y in years], seed_list, cfg)
        table = Table(title=f"Peer methods against the truth: {name} reviewers, {units} units")
        for column in (
            "seed",
            "method",
            "Spearman",
            "RMSE (0–100)",
            "funding differs",
            "RMSE vs trimmed mean",
        ):
            table.add_column(column, justify="left" if column in ("seed", "method") else "right")
        for row in [*per_seed.to_dict("records"), *means.to_dict("records")]:
            table.add_row(
                str(row["seed"]),
                str(row["method"]),
                f"{row['spearman']:.3f}",
                f"{row['rmse']:.2f}",
                f"{row['funding_disagreement']:.1%}",
                f"{row['rmse_change']:+.0%}",
            )
        console.print(table)
