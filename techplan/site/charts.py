"""Geometry of a measure's trend chart; the SVG markup itself is a template."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from techplan.plan.formatting import format_value
from techplan.plan.model import Measure

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 34


@dataclass(frozen=True, slots=True)
class Mark:
    """A value drawn on the chart."""

    x: float
    y: float
    kind: str
    """baseline, actual or target."""
    label: str
    """The value with its unit, drawn beside the mark."""


@dataclass(frozen=True, slots=True)
class Tick:
    """A labelled position on an axis."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    """Everything the template needs to draw a measure's trend."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    actual_path: str
    """The line from the baseline through each actual."""
    target_path: str
    """The straight line from the baseline to the target."""
    marks: tuple[Mark, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def layout_trend(measure: Measure) -> TrendChart:
    """Lay out the baseline, actuals and target of a measure on time and value axes."""
    points = [measure.baseline, *measure.actuals, measure.target]
    low, high, step = _nice_range(min(p.value for p in points), max(p.value for p in points), measure.unit)
    start = date(measure.baseline.date.year, 1, 1)
    end = date(max(p.date for p in points).year + 1, 1, 1)
    right_edge, bottom_edge = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x_of(day: date) -> float:
        return round(LEFT + (right_edge - LEFT) * (day - start).days / (end - start).days, 1)

    def y_of(value: float) -> float:
        return round(bottom_edge - (bottom_edge - TOP) * (value - low) / (high - low), 1)

    def mark(point_date: date, value: float, kind: str) -> Mark:
        return Mark(x_of(point_date), y_of(value), kind, format_value(value, measure.unit))

    baseline = mark(measure.baseline.date, measure.baseline.value, "baseline")
    actuals = [mark(p.date, p.value, "actual") for p in measure.actuals]
    target = mark(measure.target.date, measure.target.value, "target")
    actual_path = "M" + " L".join(f"{m.x},{m.y}" for m in [baseline, *actuals])
    target_path = f"M{baseline.x},{baseline.y} L{target.x},{target.y}"
    count = round((high - low) / step)
    y_ticks = tuple(Tick(y_of(low + i * step), format_value(low + i * step, measure.unit)) for i in range(count + 1))
    years = range(start.year, end.year + 1)
    x_ticks = tuple(Tick(x_of(date(year, 1, 1)), str(year)) for year in years)
    return TrendChart(
        WIDTH,
        HEIGHT,
        LEFT,
        right_edge,
        TOP,
        bottom_edge,
        actual_path,
        target_path,
        (baseline, *actuals, target),
        x_ticks,
        y_ticks,
    )


def _nice_range(low: float, high: float, unit: str) -> tuple[float, float, float]:
    """Round the value axis out to tidy steps, about four of them."""
    if high == low:
        high = low + 1
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    nice_low = math.floor(low / step) * step
    nice_high = math.ceil(high / step) * step
    if unit == "percent":
        nice_low, nice_high = max(nice_low, 0), min(nice_high, 100)
    if nice_low > 0 and nice_low <= step:
        nice_low = 0.0
    return nice_low, nice_high, step
