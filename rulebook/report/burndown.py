"""A period's downtime budget burning down, as a polyline for an inline SVG (no script).

The budget is what the target allows (``view.budget``); it falls by every second of
counted downtime as the period runs. Counted time is the union of the counted segments
of the service's records in the period — an instant two records cover is counted once,
as the engine counts it — so the line ends at the period's "left" (below zero when the
target is missed).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from rulebook.report.view import ReportPeriod, instant
from rulebook.reprs import with_repr

LEFT = 130.0
RIGHT = 990.0
TOP = 10.0
HEIGHT = 80.0
BOTTOM = HEIGHT - 12.0


@with_repr
@attrs.frozen(repr=False)
class BurnDown:
    """The points of the line, the zero line's y and the scale's labels."""

    width: float
    height: float
    points: str  # "x,y x,y ..." for <polyline>
    zero: float
    allowed: Fraction
    left: Fraction
    end_y: float


def counted_spans(period: ReportPeriod) -> list[tuple[int, int]]:
    """The union of the counted segments in ``period``, sorted."""
    label = period.data["period"]
    spans = sorted(
        (instant(s["start"]), instant(s["end"]))
        for r in period.records
        for s in r["segments"]
        if s["period"] == label and s["status"] == "counted"
    )
    merged: list[list[int]] = []
    for a, z in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], z)
        else:
            merged.append([a, z])
    return [(a, z) for a, z in merged]


def burn_down(period: ReportPeriod) -> BurnDown | None:
    """The budget over the period, or None without a target."""
    if period.budget is None:
        return None
    allowed = Fraction(period.budget.allowed)
    spans = counted_spans(period)
    used = sum(z - a for a, z in spans)
    low = min(Fraction(0), allowed - used)
    high = max(allowed, Fraction(1))
    span = period.end - period.start

    def x_of(t: int) -> float:
        return round(LEFT + (t - period.start) * (RIGHT - LEFT) / span, 3)

    def y_of(v: Fraction) -> float:
        return round(TOP + float((high - v) / (high - low)) * (BOTTOM - TOP), 3)

    points = [(x_of(period.start), y_of(allowed))]
    left = allowed
    for a, z in spans:
        points.append((x_of(a), y_of(left)))
        left -= z - a
        points.append((x_of(z), y_of(left)))
    points.append((x_of(period.end), y_of(left)))
    return BurnDown(
        RIGHT + 10,
        HEIGHT,
        " ".join(f"{x:g},{y:g}" for x, y in points),
        y_of(Fraction(0)),
        allowed,
        left,
        y_of(left),
    )
