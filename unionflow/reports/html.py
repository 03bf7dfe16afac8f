"""report.html: one self-contained page for leadership (SPEC section 9).

Everything is inline — CSS, the SVG charts (drawn in `reports.charts`) and a small vanilla script
that sorts and filters the score table — and a Content-Security-Policy forbids any network request,
so the page works from a USB stick or an e-mail attachment. Autoescaping is on: unit names and every
other value from the warehouse reach the page as text, never as markup.

Large years: the table lists the top `top_n` units by rank (default 2,000) and says that the full
list is in report.xlsx; the charts and headline figures always cover every unit.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from unionflow.reports.catalogue import GRADE_ORDER, LEVEL_ORDER, Catalogue, catalogue
from unionflow.reports.charts import Bar, bar_chart, histogram
from unionflow.reports.data import (
    ReportData,
    comparison_rows,
    currency_line,
    flag_rows,
    headline_figures,
    missing,
)
from unionflow.reports.decision import borderline_rows, scenario_rows, stability_note
from unionflow.reports.findings import finding_line, state, verdict
from unionflow.reports.trend import grade_moves, previous_years, trend_rows

#: Rows of the score table shown in the page; the rest are in report.xlsx. 2,000 rows keep the page
#: under ~1.5 MB and quick to sort in a browser, and cover every unit of a realistic year (~225).
DEFAULT_TOP_N = 2000
#: Review flags listed in the page (all of them are in the workbook's Flags sheet).
DEFAULT_FLAGS_N = 500


@cache
def environment() -> Environment:
    """The Jinja environment for the report templates (built on first use, autoescape on)."""
    env = Environment(
        loader=PackageLoader("unionflow.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = lambda v: f"{int(v):,}"
    return env


def _score(value: Any, digits: int = 2) -> str:
    return "" if missing(value) else f"{float(value):.{digits}f}"


def _int(value: Any) -> str:
    return "" if missing(value) else str(int(value))


def score_rows(data: ReportData, cat: Catalogue, top_n: int) -> list[dict[str, str]]:
    """The score table's rows (rank order, at most `top_n`), formatted for display and sorting.

    `*_v` fields are the sort keys the page's script reads from `data-v` (empty sorts last).
    """
    allocated = data.allocations.set_index("unit_id")
    amounts = allocated["amount_cny"].to_dict()
    reasons = allocated["reason"].to_dict()
    rows = []
    for r in data.scores.head(top_n).itertuples(index=False):
        amount = amounts.get(r.unit_id, 0)
        reason = reasons.get(r.unit_id, "")
        rows.append(
            {
                "rank": _int(r.rank),
                "unit_id": str(r.unit_id),
                "name": str(r.name),
                "level": str(r.level),
                "level_label": cat.code("level", r.level),
                "indicator": _score(r.indicator_score),
                "indicator_v": _score(r.indicator_score, 6),
                "peer": _score(r.peer_score),
                "peer_v": _score(r.peer_score, 6),
                "bonus": _score(r.bonus, 0 if missing(r.bonus) or float(r.bonus).is_integer() else 2),
                "bonus_v": _score(r.bonus, 6),
                "total": _score(r.total),
                "total_v": _score(r.total, 6),
                "grade": str(r.grade),
                "grade_label": cat.code("grade", r.grade),
                # Grades sort best first, like ranks: their position in GRADE_ORDER.
                "grade_v": str(GRADE_ORDER.index(r.grade) + 1) if r.grade in GRADE_ORDER else "",
                "amount": f"{int(amount):,}" if amount else "–",
                "amount_v": str(int(amount)),
                "reason": cat.code("reason", reason),
                "search": f"{r.name} {r.unit_id}".lower(),
            }
        )
    return rows


def _allocation_bars(data: ReportData, by: str, order: list[str], cat: Catalogue) -> list[Bar]:
    text = cat.labels
    alloc = data.allocations
    if by == "level":
        levels = data.scores.set_index("unit_id")["level"]
        alloc = alloc.assign(level=alloc["unit_id"].map(levels))
    grouped = alloc.groupby(by).agg(
        units=("unit_id", "size"),
        funded=("reason", lambda s: int((s == "funded").sum())),
        amount=("amount_cny", "sum"),
    )
    keys = [k for k in order if k in grouped.index] + sorted(k for k in grouped.index if k not in order)
    return [
        Bar(
            key=str(k) if by == "grade" else f"level-{k}",
            label=cat.code(by, k),
            amount=float(grouped.loc[k, "amount"]),
            note=f"{int(grouped.loc[k, 'funded']):,} {text['chart_funded']} / "
            f"{int(grouped.loc[k, 'units']):,} {text['chart_units']}",
        )
        for k in keys
    ]


#: The page's sections in order: (id, title label). Each has a partial templates/report/<id>.html.j2;
#: a new section is one partial and one entry here.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("headline", "headline"),
    ("scores", "scores"),
    ("charts", "charts"),
    ("trend", "trend"),
    ("scenarios", "scenarios"),
    ("stability", "stability"),
    ("calibration", "calibration"),
    ("flags", "flags"),
    ("validation", "validation"),
    ("provenance", "provenance"),
)


def _charts(data: ReportData, cat: Catalogue) -> dict[str, Markup]:
    text = cat.labels
    scored = data.scores[data.scores["total"].notna()]
    grade_labels = {g: cat.code("grade", g) for g in GRADE_ORDER}
    return {
        "distribution": Markup(  # noqa: S704 - built by reports.charts, which escapes every text
            histogram(
                scored["total"],
                scored["grade"],
                GRADE_ORDER,
                grade_labels,
                title=text["chart_distribution"],
                x_label=text["axis_total"],
                y_label=text["axis_units"],
            )
        ),
        "by_grade": Markup(  # noqa: S704
            bar_chart(
                _allocation_bars(data, "grade", list(GRADE_ORDER), cat),
                title=text["chart_by_grade"],
                unit=text["currency"],
                chart_id="by-grade",
            )
        ),
        "by_level": Markup(  # noqa: S704
            bar_chart(
                _allocation_bars(data, "level", list(LEVEL_ORDER), cat),
                title=text["chart_by_level"],
                unit=text["currency"],
                chart_id="by-level",
            )
        ),
    }


def render_html(
    data: ReportData,
    lang: str = "en",
    *,
    top_n: int = DEFAULT_TOP_N,
    flags_n: int = DEFAULT_FLAGS_N,
) -> str:
    """The report page as a string (deterministic: the same data gives the same bytes)."""
    cat = catalogue(lang)
    text = cat.labels
    year = data.year
    scores = data.scores
    rows = score_rows(data, cat, top_n)
    flags = flag_rows(data, cat)
    comparison = comparison_rows(data)
    present_grades = [g for g in GRADE_ORDER if g in set(scores["grade"])]
    present_levels = sorted(set(scores["level"]))
    run = data.run
    validation = data.validation
    scenarios = scenario_rows(data, cat)
    # Optional sections: shown only when their data is there.
    trend = trend_rows(data, cat, top_n)
    present = {
        "calibration": bool(comparison),
        "scenarios": bool(scenarios),
        "stability": data.stability is not None,
        "trend": bool(trend),
    }
    improved, declined = grade_moves(data)
    years_before = previous_years(data)
    sections = [{"id": sid, "title": text[label]} for sid, label in SECTIONS if present.get(sid, True)]
    context = {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": text,
        "year": year,
        "title": text["title"].format(year=year),
        "sections": sections,
        "run_line": text["run_line"].format(
            run=data.allocation_run_id,
            status=cat.code("status", run.status),
            score_run=run.score_run_id,
            method=cat.code("method", data.score_run.peer_method),
        ),
        "published": cat.time(run.published_at),
        "current": currency_line(data, cat),
        "current_hash": data.score_run.input_hash,
        "h": data.headline,
        "figures": headline_figures(data.headline, year, cat),
        "rows": rows,
        "total_units": len(scores),
        "truncated": len(scores) > len(rows),
        "grades": [(g, cat.code("grade", g)) for g in present_grades],
        "levels": [(lv, cat.code("level", lv)) for lv in present_levels],
        "charts": _charts(data, cat),
        "unscored": int(scores["total"].isna().sum()),
        "comparison": comparison,
        "scenarios": scenarios,
        "trend": trend,
        "trend_years": [*years_before, year],
        "trend_truncated": len(scores) > len(trend),
        "trend_line": (
            text["trend_line"].format(since=years_before[-1], improved=improved, declined=declined)
            if trend
            else ""
        ),
        "borderline": borderline_rows(data, cat),
        "stability_note": stability_note(cat),
        "flags": flags[:flags_n],
        "flags_total": len(flags),
        "validation_state": state(validation),
        "validation_verdict": verdict(validation, cat),
        "blocking": [finding_line(f, cat) for f in validation.blocking] if validation else [],
        "warnings": [finding_line(f, cat) for f in validation.warnings] if validation else [],
        "docs_link": validation.docs_link if validation else None,
        "hashes": [
            (text["score_config_hash"], data.score_run.config_hash),
            (text["score_input_hash"], data.score_run.input_hash),
            (text["alloc_config_hash"], run.config_hash),
            (text["alloc_input_hash"], run.input_hash),
        ],
        "params": text["allocation_params_value"].format(
            method=cat.code("method", run.method),
            floor=f"{run.floor:,}",
            cap=f"{run.cap:,}",
            step=f"{run.step:,}",
        ),
        "created_at": cat.time(run.created_at),
        "footer": cat.text("footer", zone=cat.text("time_zone")),
    }
    return environment().get_template("report.html.j2").render(context)


def write_html(path: Path, data: ReportData, lang: str = "en", *, top_n: int = DEFAULT_TOP_N) -> Path:
    """Write report.html (UTF-8) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data, lang, top_n=top_n), encoding="utf-8", newline="\n")
    return path
