"""The pilot-unit registry: public columns of units.csv plus hidden latent traits per unit.

Depends only on (units, seed), never on the assessment year, so every year's data set generated with
one seed describes the same units with the same underlying quality and size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from unionflow.synth import names, rng
from unionflow.synth.schema import DISTRICT_WEIGHTS, DISTRICTS, UNIT_COLUMNS

CITY_SHARE = 2 / 3
BATCH_SHARES = (0.40, 0.33, 0.27)
FIRST_BATCH_YEAR = 2021  # batch b was designated in FIRST_BATCH_YEAR + b - 1
INACTIVE_SHARE = 0.02

CITY_SECTORS = {
    "department": 0.12,
    "industrial_park": 0.04,
    "central_soe": 0.14,
    "regional_soe": 0.20,
    "private_enterprise": 0.38,
    "institution": 0.12,
}
COUNTY_SECTORS = {
    "county_district": 0.08,
    "township_street": 0.30,
    "department": 0.10,
    "industrial_park": 0.07,
    "regional_soe": 0.05,
    "private_enterprise": 0.30,
    "institution": 0.10,
}
# Median head count and log-sd per sector: townships and departments are small, SOE plants big.
EMPLOYEE_SIZE = {
    "department": (90, 0.6),
    "county_district": (1500, 0.5),
    "township_street": (60, 0.5),
    "industrial_park": (600, 0.7),
    "central_soe": (2500, 0.9),
    "regional_soe": (1800, 0.9),
    "private_enterprise": (250, 1.0),
    "institution": (400, 0.7),
}
MIN_EMPLOYEES, MAX_EMPLOYEES = 8, 20_000

# Unit-level propensities (random effects) for the indicators; the submission model scales them.
PROPENSITIES: tuple[str, ...] = (
    "training",
    "upgrades",
    "competition",
    "studios",
    "innovation",
    "value",
    "proposals",
    "adoption",
    "honors",
    "service",
)


@dataclass(frozen=True)
class Registry:
    """The registry of pilot units.

    `units` holds exactly the public columns of units.csv (good rows only, file order); `latent`
    is aligned with it row by row and holds what a real federation never sees: `quality` (latent
    q ~ N(0, 1)), `log_employees` (base head count), `leniency` (as a reviewer, points) and one
    `p_<name>` propensity per indicator family; `district_code` indexes `schema.DISTRICTS`.
    """

    units: pd.DataFrame
    latent: pd.DataFrame
    district_code: np.ndarray

    def active_mask(self, year: int) -> np.ndarray:
        """Which units are active in `year` (active_from <= year <= active_to, empty = open)."""
        start = self.units["active_from"].to_numpy(dtype=np.int64)
        end = pd.to_numeric(self.units["active_to"], errors="coerce").fillna(9999).to_numpy()
        return (start <= year) & (year <= end)


def id_width(count: int) -> int:
    """Digits in the running number of an id: at least 4, enough for `count`."""
    return max(4, len(str(max(count, 1))))


def _sectors(generator: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    labels = np.asarray(list(shares), dtype=object)
    weights = np.asarray(list(shares.values()))
    return labels[generator.choice(len(labels), size=size, p=weights / weights.sum())]


def build_registry(units: int, seed: int) -> Registry:
    """Generate `units` pilot units (about two thirds city level) for `seed`."""
    if units < 1:
        raise ValueError("units must be at least 1")
    gen = rng.stream(seed, rng.REGISTRY)
    n_city = round(units * CITY_SHARE)
    n_county = units - n_city
    width = id_width(max(n_city, n_county))
    unit_ids = [f"BT-C-{i:0{width}d}" for i in range(1, n_city + 1)]
    unit_ids += [f"BT-X-{i:0{width}d}" for i in range(1, n_county + 1)]
    levels = np.asarray(["city"] * n_city + ["county"] * n_county, dtype=object)

    sectors = np.concatenate([_sectors(gen, CITY_SECTORS, n_city), _sectors(gen, COUNTY_SECTORS, n_county)])
    weights = np.asarray(DISTRICT_WEIGHTS)
    district_code = gen.choice(len(DISTRICTS), size=units, p=weights / weights.sum())
    batch = gen.choice(3, size=units, p=BATCH_SHARES) + 1
    active_from = FIRST_BATCH_YEAR + batch - 1

    # A few early units left the programme in 2022/2023: inactive for every later run year.
    active_to = np.full(units, "", dtype=object)
    early = np.flatnonzero(batch <= 2)
    n_inactive = min(len(early), max(2, round(units * INACTIVE_SHARE)))
    leavers = gen.choice(early, size=n_inactive, replace=False)
    leave_year = np.maximum(active_from[leavers], gen.choice([2022, 2023], size=n_inactive))
    active_to[leavers] = leave_year.astype(str)

    unit_names = names.unit_names(gen, sectors, levels, district_code)
    parents = names.parent_unions(unit_names, sectors, levels, district_code)

    frame = pd.DataFrame(
        {
            "unit_id": unit_ids,
            "name": unit_names,
            "level": levels,
            "batch": batch.astype(np.int64),
            "sector": sectors,
            "district": np.asarray(DISTRICTS, dtype=object)[district_code],
            "parent_union": parents,
            "active_from": active_from.astype(np.int64),
            "active_to": active_to,
        },
        columns=list(UNIT_COLUMNS),
    )

    median = np.asarray([EMPLOYEE_SIZE[str(s)][0] for s in sectors], dtype=float)
    spread = np.asarray([EMPLOYEE_SIZE[str(s)][1] for s in sectors], dtype=float)
    log_emp = np.log(median) + spread * gen.standard_normal(units)
    log_emp = np.clip(log_emp, np.log(MIN_EMPLOYEES), np.log(MAX_EMPLOYEES * 0.9))
    latent = pd.DataFrame(
        {
            "quality": gen.standard_normal(units),
            "log_employees": log_emp,
            "leniency": 3.0 * gen.standard_normal(units),
        }
    )
    effects = gen.standard_normal((units, len(PROPENSITIES)))
    for k, name in enumerate(PROPENSITIES):
        latent[f"p_{name}"] = effects[:, k]
    return Registry(units=frame, latent=latent, district_code=np.asarray(district_code))
