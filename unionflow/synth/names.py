"""Pilot-unit names and parent unions, combined from `vocabulary` so names rarely repeat."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unionflow.synth.schema import CITY_FEDERATION, DISTRICTS
from unionflow.synth.vocabulary import (
    BRAND_CHARS,
    CENTRAL_SOES,
    CHINESE_NUMERALS,
    CITY,
    CITY_EDUCATION_UNION,
    CITY_ORGANS_UNION,
    COMMUNITY_WORDS,
    COMPANY_FORMS,
    DEFAULT_INDUSTRY_UNION,
    DEPARTMENT_OFFICES,
    DEPARTMENTS,
    INDUSTRIES,
    INDUSTRY_UNIONS,
    INSTITUTION_KINDS,
    PARK_UNITS,
    PARKS,
    PLACE_PREFIXES,
    REGIONAL_SOES,
    SOE_SHOPS,
    SOE_TEAMS,
    TOWNSHIP_UNITS,
    TOWNSHIPS,
    all_vocabulary,
)

__all__ = ["all_vocabulary", "industry_union", "parent_unions", "unit_names"]


def _pick(rng: np.random.Generator, options: Sequence[str], size: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), size)]


def _department_names(rng: np.random.Generator, places: list[str]) -> list[str]:
    size = len(places)
    return [
        f"{place}{dept}{office}"
        for place, dept, office in zip(
            places, _pick(rng, DEPARTMENTS, size), _pick(rng, DEPARTMENT_OFFICES, size), strict=True
        )
    ]


def _township_names(rng: np.random.Generator, district_codes: np.ndarray) -> list[str]:
    names = []
    picks = rng.random(len(district_codes))
    words = _pick(rng, COMMUNITY_WORDS, len(district_codes))
    units = _pick(rng, TOWNSHIP_UNITS, len(district_codes))
    for code, pick, word, unit in zip(district_codes, picks, words, units, strict=True):
        towns = TOWNSHIPS[int(code)]
        town = towns[int(pick * len(towns))]
        # A community of the street/town is itself a pilot unit in some districts.
        suffix = f"{word}社区" if unit == "社区" else unit
        names.append(f"{DISTRICTS[int(code)]}{town}{suffix}")
    return names


def _park_names(rng: np.random.Generator, size: int) -> list[str]:
    return [
        f"包头{park}{unit}"
        for park, unit in zip(_pick(rng, PARKS, size), _pick(rng, PARK_UNITS, size), strict=True)
    ]


def _soe_names(
    rng: np.random.Generator, groups: tuple[tuple[str, tuple[str, ...]], ...], size: int
) -> list[str]:
    group_idx = rng.integers(0, len(groups), size)
    sub_pick = rng.random(size)
    numeral = rng.integers(1, 61, size)
    team = rng.integers(0, len(SOE_TEAMS), size)
    # About a third of SOE pilot units are a whole plant, the rest a section inside one.
    whole = rng.random(size) < 0.35
    shops = rng.integers(0, len(SOE_SHOPS), size)
    names = []
    for g, s, n, t, w, h in zip(group_idx, sub_pick, numeral, team, whole, shops, strict=True):
        group, subs = groups[int(g)]
        sub = subs[int(s * len(subs))]
        shop = SOE_SHOPS[int(h)]
        ordinal = CHINESE_NUMERALS[int(n) - 1] if n <= len(CHINESE_NUMERALS) else str(int(n))
        tail = "" if w else f"{shop}第{ordinal}{SOE_TEAMS[int(t)]}"
        names.append(f"{group}{sub}{tail}")
    return names


def _company_names(rng: np.random.Generator, size: int) -> list[str]:
    first = _pick(rng, BRAND_CHARS, size)
    second = _pick(rng, BRAND_CHARS, size)
    return [
        f"{place}{a}{b}{industry}{form}"
        for place, a, b, industry, form in zip(
            _pick(rng, PLACE_PREFIXES, size),
            first,
            second,
            _pick(rng, INDUSTRIES, size),
            _pick(rng, COMPANY_FORMS, size),
            strict=True,
        )
    ]


def _institution_names(rng: np.random.Generator, places: list[str]) -> list[str]:
    size = len(places)
    numbers = rng.integers(1, 61, size)
    kinds = _pick(rng, INSTITUTION_KINDS, size)
    names = []
    for place, number, kind in zip(places, numbers, kinds, strict=True):
        # Hospitals and schools are numbered: 包头市第三医院, 昆都仑区第28中学.
        n = int(number)
        ordinal = CHINESE_NUMERALS[n - 1] if n <= len(CHINESE_NUMERALS) else str(n)
        if kind in ("中学", "小学") and n % 2 == 0:
            # Schools are also named after their street: 昆都仑区阳光路小学.
            names.append(f"{place}{COMMUNITY_WORDS[n % len(COMMUNITY_WORDS)]}路{kind}")
        elif kind in ("医院", "中学", "小学"):
            names.append(f"{place}第{ordinal}{kind}")
        else:
            names.append(f"{place}{kind}")
    return names


def unit_names(
    rng: np.random.Generator, sectors: np.ndarray, levels: np.ndarray, district_codes: np.ndarray
) -> np.ndarray:
    """Realistic Chinese names for pilot units, one per row of the three aligned arrays."""
    size = len(sectors)
    names = np.empty(size, dtype=object)
    places = np.where(levels == "city", CITY, np.asarray(DISTRICTS, dtype=object)[district_codes])
    for sector in np.unique(sectors):
        rows = np.flatnonzero(sectors == sector)
        count = len(rows)
        if sector == "department":
            names[rows] = _department_names(rng, list(places[rows]))
        elif sector == "county_district":
            names[rows] = [DISTRICTS[int(code)] for code in district_codes[rows]]
        elif sector == "township_street":
            names[rows] = _township_names(rng, district_codes[rows])
        elif sector == "industrial_park":
            names[rows] = _park_names(rng, count)
        elif sector == "central_soe":
            names[rows] = _soe_names(rng, CENTRAL_SOES, count)
        elif sector == "regional_soe":
            names[rows] = _soe_names(rng, REGIONAL_SOES, count)
        elif sector == "private_enterprise":
            names[rows] = _company_names(rng, count)
        else:
            names[rows] = _institution_names(rng, list(places[rows]))
    return names


def industry_union(name: str) -> str:
    """The municipal industry union an enterprise belongs to, judged from its name."""
    for word, union in INDUSTRY_UNIONS:
        if word in name:
            return union
    return DEFAULT_INDUSTRY_UNION


def parent_unions(
    names: np.ndarray, sectors: np.ndarray, levels: np.ndarray, district_codes: np.ndarray
) -> np.ndarray:
    """The union each pilot unit reports to: city federation, a district federation or an industry
    union, following the usual Chinese union hierarchy."""
    district_feds = np.asarray([f"{d}总工会" for d in DISTRICTS], dtype=object)
    result = np.asarray(district_feds[district_codes], dtype=object)
    city = levels == "city"
    result[sectors == "county_district"] = CITY_FEDERATION
    result[city & (sectors == "department")] = CITY_ORGANS_UNION
    result[city & (sectors == "industrial_park")] = CITY_FEDERATION
    result[city & (sectors == "institution")] = CITY_EDUCATION_UNION
    enterprise = np.isin(sectors, ["central_soe", "regional_soe"]) | (
        city & (sectors == "private_enterprise")
    )
    result[enterprise] = [industry_union(str(n)) for n in names[enterprise]]
    return result
