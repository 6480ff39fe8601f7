"""Line charts as inline SVG: a few series over the same x labels, nothing to load.

Pure functions of their data; every text is escaped. A missing value (None) breaks its line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


@dataclass(frozen=True)
class Band:
    """A horizontal reference band drawn behind the series (e.g. the elimination zone)."""

    low: float
    high: float
    label: str
    colour: str = "#fbe3e3"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(
    labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *, title: str,
    y_min: float | None = None, y_max: float | None = None, width: int = 640, height: int = 240,
    bands: Sequence[Band] = (), unit: str = "",
) -> str:
    """An SVG line chart.

    Args:
        labels: the x axis, oldest first (months).
        series: name → one value (or None) per label.
        title: the chart's accessible title.
        y_min: y_max: the axis range (default: the data's, padded).
        width: height: the drawing size in px.
        bands: shaded reference bands.
        unit: appended to the y tick labels ("%").

    Returns:
        ``<svg …>…</svg>`` with a ``<title>``, one ``<polyline>`` per series segment, a point
        per value (its ``<title>`` gives label and value) and a legend.

    Example:
        >>> "<polyline" in line_chart(["2026-01", "2026-02"], {"score": [40.0, 55.5]}, title="t")
        True
    """
    values = [v for vs in series.values() for v in vs if v is not None]
    low = y_min if y_min is not None else (min(values) if values else 0.0)
    high = y_max if y_max is not None else (max(values) if values else 1.0)
    if high <= low:
        low, high = low - 1.0, high + 1.0
    left, right, top, bottom = 48, 12, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, low), high) - low) / (high - low))

    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>')]
    for band in bands:
        y1, y2 = y(band.high), y(band.low)
        out.append(f'<rect class="band" x="{left}" y="{y1:.1f}" width="{plot_w}" height="{max(y2 - y1, 0):.1f}" '
                   f'fill="{band.colour}"><title>{escape(band.label)}</title></rect>')
    for k in range(5):  # y grid and ticks
        v = low + (high - low) * k / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">'
                   f'{escape(_fmt(v) + unit)}</text>')
    step = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            out.append(f'<text x="{x(i):.1f}" y="{height - 14}" font-size="10" text-anchor="middle">'
                       f'{escape(str(label))}</text>')
    for s, (name, vs) in enumerate(series.items()):
        colour = PALETTE[s % len(PALETTE)]
        segment: list[str] = []
        segments: list[list[str]] = [segment]
        for i, v in enumerate(vs):
            if v is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            out.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}">'
                       f'<title>{escape(f"{name} {labels[i]}: {_fmt(v)}{unit}")}</title></circle>')
        for points in segments:
            if len(points) > 1:
                out.append(f'<polyline class="series" data-series="{escape(name)}" fill="none" '
                           f'stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>')
        out.append(f'<rect x="{left + 110 * s}" y="8" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{left + 110 * s + 14}" y="17" font-size="11">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
