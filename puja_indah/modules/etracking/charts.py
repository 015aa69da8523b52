"""Geometry of the analytics page's SVG charts, computed on the server (no JS library, no CDN).
The template draws the shapes; every number drawn is also in the table beside the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class StageBars:
    name: str
    y: float
    p50: Bar | None
    p90: Bar | None
    sla_x: float | None


@dataclass(frozen=True)
class StageChart:
    width: int
    height: int
    scale_max: float
    rows: list[StageBars]


def nice_ceiling(value: float) -> float:
    """The next 1, 2 or 5 × 10ⁿ at or above value (an axis end that reads well)."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def stage_chart(
    rows: Sequence[tuple[str, float | None, float | None, int | None]], width: int = 360
) -> StageChart:
    """Horizontal bars per stage: median and p90 working minutes, a tick at the SLA."""
    row_height = 46
    left, right = 4, 12
    span = width - left - right
    largest = max([v for _n, p50, p90, sla in rows for v in (p50, p90, sla) if v] or [1])
    top = nice_ceiling(largest)
    out = []
    for index, (name, p50, p90, sla) in enumerate(rows):
        y = 8 + index * row_height
        out.append(
            StageBars(
                name=name,
                y=y,
                p50=None if p50 is None else Bar(left, y + 16, span * p50 / top, 10, f"{p50:g}"),
                p90=None if p90 is None else Bar(left, y + 28, span * p90 / top, 10, f"{p90:g}"),
                sla_x=None if sla is None else left + span * sla / top,
            )
        )
    return StageChart(width, 8 + len(rows) * row_height + 4, top, out)


@dataclass(frozen=True)
class SeriesChart:
    width: int
    height: int
    scale_max: float
    bars: list[Bar]
    points: str  # an SVG polyline's points
    first: date | None
    last: date | None


def series_chart(
    series: Sequence[tuple[date, int]], as_line: bool, width: int = 720, height: int = 160
) -> SeriesChart:
    """Daily figures as bars (throughput) or a line (backlog), with the axis from 0 to a round
    maximum."""
    plot_top, plot_bottom = 8, height - 20
    plot_height = plot_bottom - plot_top
    top = nice_ceiling(max([v for _d, v in series] or [0]))
    count = max(len(series), 1)
    step = width / count
    bars: list[Bar] = []
    points: list[str] = []
    for index, (day, value) in enumerate(series):
        bar_height = plot_height * value / top
        if as_line:
            x = index * step + step / 2
            points.append(f"{x:.1f},{plot_bottom - bar_height:.1f}")
        elif value:
            bars.append(
                Bar(
                    index * step,
                    plot_bottom - bar_height,
                    max(step * 0.8, 0.5),
                    bar_height,
                    f"{day.isoformat()}: {value}",
                )
            )
    return SeriesChart(
        width=width,
        height=height,
        scale_max=top,
        bars=bars,
        points=" ".join(points),
        first=series[0][0] if series else None,
        last=series[-1][0] if series else None,
    )
