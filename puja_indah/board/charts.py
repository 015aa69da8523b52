"""Geometry of the board's SVG charts, computed on the server (no JS library, no CDN). The
template draws the shapes; every number drawn is also in the table beside the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from puja_indah.modules.etracking.charts import nice_ceiling


@dataclass(frozen=True)
class HBar:
    label: str
    value: float
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    scale_max: float
    label_width: int
    bars: list[HBar]


def bar_chart(items: Sequence[tuple[str, float]], width: int = 340) -> BarChart:
    """Horizontal bars, one per (label, value), on a 0..nice-ceiling axis."""
    label_width, right, row = 130, 36, 26
    span = width - label_width - right
    top = nice_ceiling(max([v for _l, v in items] or [0]) or 1)
    bars = [
        HBar(label, value, 6 + i * row, span * value / top)
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(width, 6 + len(items) * row + 4, top, label_width, bars)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str]]


def line_chart(
    values: Sequence[tuple[str, float]], width: int = 340, height: int = 140
) -> LineChart:
    """A 0..100 % line over evenly spaced points (one per month)."""
    left, right, top, bottom = 8, 8, 8, 8
    span_x, span_y = width - left - right, height - top - bottom
    step = span_x / max(1, len(values) - 1)
    dots = [
        (left + i * step, top + span_y * (1 - min(100.0, max(0.0, v)) / 100), label)
        for i, (label, v) in enumerate(values)
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y, _l in dots)
    return LineChart(width, height, points, dots)
