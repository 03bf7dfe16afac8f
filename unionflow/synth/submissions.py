"""Clean annual submissions: one contract-valid record per active unit, driven by latent quality.

Values scale with head count and the unit's latent quality q; a small year-specific noise makes
two years of one unit differ somewhat (year-over-year ratios mostly within 0.7-1.5x).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from unionflow.synth import rng, texts
from unionflow.synth.registry import MAX_EMPLOYEES, MIN_EMPLOYEES, Registry
from unionflow.synth.schema import SUBMISSION_FIELDS, deadline, to_epoch, window_start

BASE_YEAR = 2023  # the year whose values the registry's base head counts describe
YEAR_NOISE = 0.08  # sd of log year-to-year noise per indicator
INTERNAL_COLUMNS: tuple[str, ...] = ("_unit", "_t")


def submission_id_width(units: int) -> int:
    """Digits of submission ids: six, or more when a data set could hold a million records."""
    return max(6, len(str(units * 2)))


def submission_ids(year: int, numbers: np.ndarray, width: int) -> list[str]:
    """Ids like S2025-000001 for the given running numbers."""
    return [f"S{year}-{int(n):0{width}d}" for n in numbers]


def epoch_to_iso(epochs: np.ndarray) -> np.ndarray:
    """ISO 8601 text with +08:00 for an array of epoch seconds (vectorised)."""
    local = (np.asarray(epochs, dtype=np.int64) + 8 * 3600).astype("datetime64[s]")
    text = np.datetime_as_string(local, unit="s").astype(object)
    return text + "+08:00"


def submission_times(gen: np.random.Generator, year: int, size: int) -> np.ndarray:
    """Epoch seconds between 1 December and the deadline, crowding towards the deadline."""
    start, end = to_epoch(window_start(year)), to_epoch(deadline(year))
    share = gen.beta(2.2, 1.0, size)
    return start + np.floor(share * (end - start)).astype(np.int64)


def _round(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)


def build_submissions(registry: Registry, year: int, seed: int) -> pd.DataFrame:
    """One valid submission per unit active in `year`, sorted by submitted_at.

    Columns: SUBMISSION_FIELDS (ints as int64, innovation_value_cny as float with 2 decimals) plus
    `_unit` (row in the registry) and `_t` (submitted_at as epoch seconds).
    """
    gen = rng.stream(seed, rng.SUBMISSIONS, year)
    units = np.flatnonzero(registry.active_mask(year))
    size = len(units)
    lat = registry.latent.iloc[units]
    q = lat["quality"].to_numpy()

    def p(name: str) -> np.ndarray:
        return lat[f"p_{name}"].to_numpy()

    def noise() -> np.ndarray:
        return YEAR_NOISE * gen.standard_normal(size)

    years_on = year - BASE_YEAR
    log_emp = lat["log_employees"].to_numpy() + 0.02 * years_on + 0.05 * gen.standard_normal(size)
    emp = np.clip(_round(np.exp(log_emp)), MIN_EMPLOYEES, MAX_EMPLOYEES)
    members = np.floor(emp * np.clip(0.82 + 0.06 * q + 0.05 * gen.standard_normal(size), 0.6, 1.0))
    sessions = np.maximum(1, _round(emp * 0.015 * np.exp(0.25 * q + 0.3 * p("training") + noise())))
    trainee_rate = np.clip(np.exp(0.35 * q + 0.35 * p("training") + noise()), 0.3, 3.0)
    trainees = np.maximum(_round(emp * trainee_rate), sessions)
    upgrades = _round(emp * np.clip(0.06 * np.exp(0.3 * q + 0.3 * p("upgrades") + noise()), 0.02, 0.15))
    size_effect = np.log(emp / 300.0)
    competitions = np.clip(
        _round(np.exp(1.3 + 0.3 * q + 0.25 * size_effect + 0.3 * p("competition") + noise())), 1, 20
    )
    participants = _round(emp * np.clip(0.25 * np.exp(0.3 * q + 0.4 * p("competition") + noise()), 0.05, 0.9))
    finalists = np.floor(participants * gen.uniform(0.05, 0.3, size)).astype(np.int64)
    studio_rate = 0.3 + (emp / 800.0) ** 0.7 * np.exp(0.4 * q + 0.4 * p("studios"))
    studios = np.clip(_round(studio_rate * np.exp(noise())), 0, 10)
    city_share = np.clip(0.3 + 0.1 * q + 0.15 * p("studios"), 0.0, 1.0)
    studios_city = np.floor(studios * city_share).astype(np.int64)
    results = np.clip(
        _round((1.5 * studios + (emp / 400.0) ** 0.8) * np.exp(0.3 * q + 0.3 * p("innovation") + noise())),
        0,
        50,
    )
    per_result = np.exp(np.log(60_000.0) + 0.5 * q + 0.8 * p("value") + 0.15 * gen.standard_normal(size))
    value_cents = np.rint(results * per_result * 100.0)
    proposals = _round(emp * np.clip(0.15 * np.exp(0.3 * q + 0.4 * p("proposals") + noise()), 0.02, 0.8))
    adoption = np.clip(0.7 + 0.1 * q + 0.1 * p("adoption") + 0.05 * gen.standard_normal(size), 0.4, 1.0)
    adopted = np.floor(proposals * adoption).astype(np.int64)
    honors_rate = 0.8 * np.exp(0.6 * q + 0.5 * p("honors")) * (emp / 500.0) ** 0.3
    honors = np.clip(_round(honors_rate * np.exp(noise())), 0, 8)
    activities = np.clip(_round(3 + emp / 60.0 * np.exp(0.3 * q + 0.3 * p("service") + noise())), 2, 600)
    served = _round(emp * np.clip(1.5 * np.exp(0.3 * q + 0.4 * p("service") + noise()), 0.3, 8.0))

    times = submission_times(gen, year, size)
    frame = pd.DataFrame(
        {
            "submission_id": "",
            "unit_id": registry.units["unit_id"].to_numpy()[units],
            "year": np.full(size, year, dtype=np.int64),
            "submitted_at": epoch_to_iso(times),
            "employees": emp.astype(np.int64),
            "union_members": members.astype(np.int64),
            "training_sessions": sessions,
            "trainees": trainees,
            "skill_upgrades": upgrades,
            "competitions": competitions,
            "competition_participants": participants,
            "competition_finalists": finalists,
            "studios": studios,
            "studios_city_level": studios_city,
            "innovation_results": results,
            "innovation_value_cny": value_cents / 100.0,
            "proposals_submitted": proposals,
            "proposals_adopted": adopted,
            "craftsmen_honors": honors,
            "service_activities": activities,
            "workers_served": served,
            "summary": texts.summaries(gen, size),
            "_unit": units.astype(np.int64),
            "_t": times,
        },
        columns=[*SUBMISSION_FIELDS, *INTERNAL_COLUMNS],
    )
    # Ids follow submission time, as a portal numbering receipts would.
    frame = frame.sort_values(["_t", "_unit"], kind="stable").reset_index(drop=True)
    width = submission_id_width(len(registry.units))
    frame["submission_id"] = submission_ids(year, np.arange(1, size + 1), width)
    return frame
