"""The timeline of one service's period as shapes for an inline SVG.

The period runs left to right on a linear scale. Each record is a row; its bar starts at
the record's start and is cut into its segments (counted, excluded, not downtime, out of
scope), each as wide as its seconds. A record too short to see at the period's scale (six
minutes of a thirty-day month is a fraction of a pixel) is drawn ``MIN_BAR`` wide instead,
its segments still in proportion to their seconds; the row says so. Maintenance windows
are bands across every row; days are ticked and month boundaries drawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from rulebook.report.view import Report, ReportPeriod, hms, local, word

LEFT = 130.0  # the column of record ids
RIGHT = 990.0
AXIS = 34.0  # the height of the day axis above the rows
ROW = 22.0
BAR = 14.0
MIN_BAR = 8.0


@attrs.frozen
class Shape:
    """A rectangle of the timeline with what its tooltip says."""

    x: float
    y: float
    width: float
    height: float
    css: str
    label: str
    data: dict[str, str]


@attrs.frozen
class Tick:
    """A vertical mark on the axis: a day or a month boundary."""

    x: float
    label: str
    major: bool


@attrs.frozen
class Timeline:
    """Everything the template draws for one period."""

    width: float
    height: float
    ticks: tuple[Tick, ...]
    bands: tuple[Shape, ...]
    rows: tuple[tuple[str, float, bool], ...]  # record id, y of the row's text, widened
    labels: tuple[tuple[float, float, str, str], ...]  # x, y, anchor, the record's h:mm:ss
    segments: tuple[Shape, ...]


def _fmt(x: float) -> float:
    """Coordinates rounded to a hundredth: the same input gives the same bytes."""
    return round(x, 2)


def timeline(report: Report, period: ReportPeriod) -> Timeline:
    """The shapes of ``period``'s timeline."""
    span = period.end - period.start
    scale = (RIGHT - LEFT) / span

    def x_of(t: int) -> float:
        return LEFT + (t - period.start) * scale

    rows = []
    labels: list[tuple[float, float, str, str]] = []
    segments = []
    for i, record in enumerate(period.records):
        y = AXIS + i * ROW + (ROW - BAR) / 2
        cuts = [s for s in record["segments"] if s["period"] == period.data["period"]]
        total = sum(_seconds(s) for s in cuts)
        first = min(_instant(s["start"]) for s in cuts)
        natural = total * scale
        widened = natural < MIN_BAR
        px_per_second = (MIN_BAR / total if total else 0.0) if widened else scale
        x = x0 = min(x_of(first), RIGHT - MIN_BAR) if widened else x_of(first)
        for s in cuts:
            seconds = _seconds(s)
            width = seconds * px_per_second
            clause = report.title_of(s["clause"]) if s["clause"] else "—"
            segments.append(
                Shape(
                    _fmt(x),
                    _fmt(y),
                    _fmt(width),
                    BAR,
                    s["status"],
                    f"{record['id']} {local(s['start'])} – {local(s['end'])} "
                    f"{hms(seconds)} ({seconds} s) {word(s['status'], report.lang)} {clause}",
                    {
                        "record": record["id"],
                        "start": local(s["start"]),
                        "end": local(s["end"]),
                        "seconds": str(seconds),
                        "status": s["status"],
                        "clause": clause,
                    },
                )
            )
            if not widened:
                x = x_of(_instant(s["end"]))
            else:
                x += width
        rows.append((record["id"], _fmt(y + BAR - 3), widened))
        after = x + 4 < RIGHT - 50
        labels.append(
            (
                _fmt(x + 4 if after else x0 - 4),
                _fmt(y + BAR - 3),
                "start" if after else "end",
                hms(total),
            )
        )
    height = AXIS + max(len(period.records), 1) * ROW + 6
    bands = tuple(
        Shape(
            _fmt(x_of(b.start)),
            AXIS - 4,
            _fmt(max((b.end - b.start) * scale, 1.0)),
            height - AXIS + 4,
            "window" if b.qualifies else "window-not",
            f"{b.title}: {local(_iso(b.start, report))} – {local(_iso(b.end, report))}",
            {
                "clause": b.title,
                "start": local(_iso(b.start, report)),
                "end": local(_iso(b.end, report)),
                "seconds": str(b.end - b.start),
                "status": "window" if b.qualifies else "window-not",
                "record": b.notice or "",
            },
        )
        for b in period.bands
    )
    return Timeline(
        RIGHT + 10,
        height,
        _ticks(period, x_of, ZoneInfo(report.timezone)),
        bands,
        tuple(rows),
        tuple(labels),
        tuple(segments),
    )


def _ticks(period: ReportPeriod, x_of: Any, tz: dt.tzinfo) -> tuple[Tick, ...]:
    """A tick a day (labelled every fifth day), a major one on the first of a month."""
    out = []
    day = dt.datetime.fromtimestamp(period.start, tz).date()
    while True:
        t = int(dt.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
        if t > period.end:
            break
        first = day.day == 1
        label = f"{day.month}/{day.day}" if first or day.day % 5 == 0 else ""
        out.append(Tick(_fmt(x_of(t)), label, first))
        day += dt.timedelta(days=1)
    return tuple(out)


def _iso(t: int, report: Report) -> str:
    return dt.datetime.fromtimestamp(t, ZoneInfo(report.timezone)).isoformat()


def _instant(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


def _seconds(segment: dict[str, Any]) -> int:
    return _instant(segment["end"]) - _instant(segment["start"])


STRIP = 150.0  # the width of a record's own strip in the records table
STRIP_HEIGHT = 14.0


def strip(report: Report, record: dict[str, Any]) -> tuple[Shape, ...]:
    """A record on its own scale: its segments across ``STRIP`` px, and the maintenance
    windows of its service that overlap it, so a partly excluded record shows which part a
    window took."""
    start, end = _instant(record["start"]), _instant(record["end"])
    span = max(end - start, 1)

    def x_of(t: int) -> float:
        return _fmt((min(max(t, start), end) - start) * STRIP / span)

    windows = {
        (b.start, b.end, b.qualifies, b.title): b
        for p in report.periods
        if p.data["service"] == record["service"]
        for b in p.bands
        if b.start < end and b.end > start
    }
    shapes = [
        Shape(
            x_of(b.start),
            0.0,
            _fmt(x_of(b.end) - x_of(b.start)),
            STRIP_HEIGHT,
            "band " + ("window" if b.qualifies else "window-not"),
            b.title,
            {},
        )
        for b in windows.values()
    ]
    for s in record["segments"]:
        a, z = _instant(s["start"]), _instant(s["end"])
        label = f"{hms(z - a)} {word(s['status'], report.lang)} {report.title_of(s['clause'])}"
        shapes.append(
            Shape(
                x_of(a),
                3.0,
                _fmt(x_of(z) - x_of(a)),
                STRIP_HEIGHT - 6,
                s["status"],
                label,
                {"seconds": str(z - a)},
            )
        )
    return tuple(shapes)
