"""Inline SVG charts for the HTML report, drawn in Python (no JavaScript chart library, no network).

Each function returns SVG markup with every piece of text escaped, ready to embed as-is. Sizes are in
viewBox units; the page's CSS scales the SVG to the column width and sets the fonts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

#: Grade colours, chosen so that their lightness alone tells them apart (a grayscale print): relative
#: luminance 0.04 / 0.26 / 0.54 / 0.70 for excellent / good / pass / fail; `good` is also hatched.
GRADE_COLOURS: Mapping[str, str] = {
    "excellent": "#163a5c",
    "good": "#5d8fc4",
    "pass": "#a9c6e2",
    "fail": "#f4d3cc",
    "incomplete": "#8a8a8a",
    "missing": "#d0d0d0",
}
#: Grades drawn with diagonal hatching on top of their colour.
HATCHED: frozenset[str] = frozenset({"good"})
BAR_COLOUR = "#2f6496"
ALT_COLOUR = "#6f98c2"
INK = "#1d2733"
MUTED = "#5a6573"
GRID = "#e3e7ec"


def _t(value: object) -> str:
    return escape(str(value), quote=True)


def _hatch_def(pattern_id: str) -> str:
    """A diagonal-line pattern (white lines over the fill), defined once per chart."""
    return (
        f'<defs><pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="6" fill="#ffffff" fill-opacity="0.55"/>'
        "</pattern></defs>"
    )


def _rect(x: float, y: float, w: float, h: float, key: str, pattern_id: str, title: str = "") -> str:
    """A bar: its grade colour, hatched for the grades in HATCHED, with an optional tooltip."""
    colour = GRADE_COLOURS.get(key, ALT_COLOUR if key == "alt" else BAR_COLOUR)
    tip = f"<title>{_t(title)}</title>" if title else ""
    edge = ' stroke="#b08378" stroke-width="1"' if key == "fail" else ""
    out = f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}"{edge}>{tip}</rect>'
    if key in HATCHED:
        out += f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="url(#{pattern_id})"/>'
    return out


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def histogram(
    totals: pd.Series,
    grades: pd.Series,
    grade_order: Sequence[str],
    grade_labels: Mapping[str, str],
    *,
    title: str,
    x_label: str,
    y_label: str,
    bin_width: float = 5.0,
) -> str:
    """A histogram of total scores (0–100), each bar stacked by grade so the grade bands show."""
    # Drawn at about the size it is shown (full column width), so its text matches the page's.
    width, height = 1100, 300
    left, right, top, bottom = 48, 12, 36, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    edges = np.arange(0.0, 100.0 + bin_width, bin_width)
    n_bins = len(edges) - 1
    frame = pd.DataFrame({"total": totals.astype(float), "grade": grades.astype(str)}).dropna()
    # Bin i holds [edge_i, edge_i+1); 100 itself goes into the last bin.
    index = np.minimum((frame["total"].to_numpy() // bin_width).astype(int), n_bins - 1)
    frame = frame.assign(bin=index)
    counts = frame.groupby(["bin", "grade"]).size()
    per_bin = frame.groupby("bin").size().reindex(range(n_bins), fill_value=0)
    peak = max(int(per_bin.max()) if len(per_bin) else 0, 1)
    step = _nice_step(peak)
    y_max = step * int(np.ceil(peak / step))
    bar_w = plot_w / n_bins
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_t(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_t(title)}</title>",
        _hatch_def("uf-hatch-histogram"),
    ]
    for tick in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * tick / y_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_fmt(tick)}</text>'
        )
    for b in range(n_bins):
        x = left + b * bar_w
        base: float = top + plot_h
        for grade in grade_order:
            count = int(counts.get((b, grade), 0))
            if not count:
                continue
            h = plot_h * count / y_max
            base -= h
            tip = f"{edges[b]:.0f}–{edges[b + 1]:.0f}: {count} {grade_labels.get(grade, grade)}"
            parts.append(_rect(x + 1, base, bar_w - 2, h, grade, "uf-hatch-histogram", tip))
        if per_bin.iloc[b]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" class="value">'
                f"{int(per_bin.iloc[b]):,}</text>"
            )
    for b in range(0, n_bins + 1, 2):
        x = left + b * bar_w
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="tick">'
            f"{edges[b]:.0f}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" class="axis">'
        f"{_t(x_label)}</text>"
    )
    parts.append(f'<text x="{left}" y="16" class="axis">{_t(y_label)}</text>')
    # Legend: only the grades that occur, in grade order, top right.
    present = [g for g in grade_order if g in set(frame["grade"])]
    x = width - right
    for grade in reversed(present):
        label = grade_labels.get(grade, grade)
        x -= 16 + 7.5 * _display_len(label)
        parts.append(_rect(x, 8, 10, 10, grade, "uf-hatch-histogram"))
        parts.append(f'<text x="{x + 14:.1f}" y="17" class="tick">{_t(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart: a label, an amount and a note drawn after the bar."""

    key: str
    label: str
    amount: float
    note: str


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "CNY", chart_id: str = "bars") -> str:
    """Horizontal bars of amounts (e.g. CNY by grade), each labelled with its amount and a note."""
    row_h, gap, top = 26, 10, 8
    # Drawn at about the size it is shown (half the column width).
    label_w, value_w = 90, 220
    width = 540
    height = top * 2 + len(bars) * (row_h + gap)
    plot_w = width - label_w - value_w
    peak = max((b.amount for b in bars), default=0.0) or 1.0
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {max(height, 40)}" role="img" aria-label="{_t(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_t(title)}</title>",
    ]
    pattern_id = f"uf-hatch-{chart_id}"
    if any(bar.key in HATCHED for bar in bars):
        parts.append(_hatch_def(pattern_id))
    for i, bar in enumerate(bars):
        y = top + i * (row_h + gap)
        w = plot_w * bar.amount / peak
        key = bar.key if bar.key in GRADE_COLOURS else ("" if i % 2 == 0 else "alt")
        parts.append(
            f'<text x="{label_w - 10}" y="{y + row_h / 2 + 5:.1f}" text-anchor="end" class="label">'
            f"{_t(bar.label)}</text>"
        )
        parts.append(f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{row_h}" fill="#f3f5f8"/>')
        if w > 0:
            tip = f"{bar.label}: {_fmt(bar.amount)} {unit}"
            parts.append(_rect(label_w, y, max(w, 2), row_h, key, pattern_id, tip))
        parts.append(
            f'<text x="{label_w + plot_w + 10}" y="{y + row_h / 2 + 5:.1f}" class="value">'
            f'<tspan class="strong">{_fmt(bar.amount)}</tspan> {_t(unit)} · {_t(bar.note)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(peak: int) -> int:
    """A round tick step giving about 4–6 gridlines up to `peak`."""
    raw = peak / 5
    magnitude = 10 ** int(np.floor(np.log10(raw))) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(int(factor * magnitude), 1)
    return max(int(10 * magnitude), 1)


def _display_len(text: str) -> float:
    """Approximate width in Latin characters (CJK characters are about twice as wide)."""
    return sum(1.8 if ord(ch) > 0x2E80 else 1.0 for ch in text)
