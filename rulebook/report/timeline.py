"""The timeline of one service's period as shapes for an inline SVG, with zoomed strips and
each record on its own scale.

The period runs left to right on a linear scale. Each incident is a row (an export's
records of one incident, a product and region each, share it; past ``MAX_ROWS`` incidents
in a period, each verdict is a row); each record's bar starts at
its start and is cut into its segments (counted, excluded, not downtime, out of scope),
each exactly as wide as its seconds — the overlap that decides a maintenance exclusion is
seen as it is. A record shorter than ``HAIRLINE`` px at the month's scale (a minute of a
thirty-day month is 0.02 px) keeps its true width and gets a marker above it; its day gets
a *zoom strip* (:func:`zooms`): the hours around such records drawn across the full width,
with the maintenance windows and their notices, so that a minute is fourteen pixels wide.
Days are ticked and month boundaries drawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from rulebook.report.claim import incident_of, short_id
from rulebook.report.view import Report, ReportPeriod, hms, local, word
from rulebook.reprs import with_repr

LEFT = 130.0  # the column of incident ids
RIGHT = 990.0
AXIS = 34.0  # the height of the day axis above the rows
ROW = 18.0
BAR = 12.0
HAIRLINE = 1.0  # a bar narrower than this is marked, and its day zoomed
MAX_ROWS = 12  # past this many incidents in a period, a row a verdict
ZOOM_MIN = 3600  # a zoom strip spans at least an hour


@with_repr
@attrs.frozen(repr=False)
class Shape:
    """A rectangle of the timeline with what its tooltip says."""

    x: float
    y: float
    width: float
    height: float
    css: str
    label: str
    data: dict[str, str]


@with_repr
@attrs.frozen(repr=False)
class Tick:
    """A vertical mark on the axis: a day or a month boundary (an hour in a zoom)."""

    x: float
    label: str
    major: bool


@with_repr
@attrs.frozen(repr=False)
class Timeline:
    """Everything the template draws for one period, or for one zoom strip of it."""

    width: float
    height: float
    ticks: tuple[Tick, ...]
    bands: tuple[Shape, ...]
    rows: tuple[tuple[str, float, str], ...]  # short label, y of the row's text, full label
    labels: tuple[tuple[float, float, str, str], ...]  # x, y, anchor, the row's h:mm:ss
    segments: tuple[Shape, ...]
    markers: tuple[tuple[float, float], ...]  # x, y of a hairline bar's marker
    start: int
    end: int
    title: str = ""


def _fmt(x: float) -> float:
    """Coordinates rounded to a thousandth: the same input gives the same bytes, and a
    minute of a month (0.02 px) keeps its width."""
    return round(x, 3)


def row_key(record: dict[str, Any]) -> str:
    """The row a record is drawn on: its incident."""
    return incident_of(record["id"])


def timeline(report: Report, period: ReportPeriod) -> Timeline:
    """The shapes of ``period``'s timeline."""
    label = period.data["period"]
    return _draw(report, period, period.start, period.end, label, _day_ticks, "")


def zooms(report: Report, period: ReportPeriod) -> tuple[Timeline, ...]:
    """A strip for each run of hours that holds a counted or excluded record too short to
    see at the period's scale: the whole hours around such records (at least
    ``ZOOM_MIN``), drawn across the full width with every record and window there."""
    scale = (RIGHT - LEFT) / (period.end - period.start)
    spans: list[list[int]] = []
    for record in period.records:
        for s in record["segments"]:
            if s["period"] != period.data["period"] or s["status"] not in ("counted", "excluded"):
                continue
            a, z = _instant(s["start"]), _instant(s["end"])
            if (z - a) * scale >= HAIRLINE:
                continue
            lo = max(period.start, a - (a - period.start) % 3600)
            hi = min(period.end, max(z + (-(z - period.start)) % 3600, lo + ZOOM_MIN))
            spans.append([lo, hi])
    merged: list[list[int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    tz = ZoneInfo(report.timezone)
    out = []
    for lo, hi in merged:
        first = dt.datetime.fromtimestamp(lo, tz)
        last = dt.datetime.fromtimestamp(hi, tz)
        title = f"{first:%Y-%m-%d %H:%M}–{last:%H:%M}"
        out.append(_draw(report, period, lo, hi, period.data["period"], _hour_ticks, title))
    return tuple(out)


def _draw(
    report: Report,
    period: ReportPeriod,
    start: int,
    end: int,
    label: str,
    ticks: Any,
    title: str,
) -> Timeline:
    """Every record of ``period`` that touches [start, end), a row an incident."""
    scale = (RIGHT - LEFT) / (end - start)

    def x_of(t: int) -> float:
        return LEFT + (min(max(t, start), end) - start) * scale

    by_verdict = len({row_key(r) for r in period.records}) > MAX_ROWS
    row_of: dict[str, int] = {}
    totals: dict[str, int] = {}
    right: dict[str, float] = {}
    left: dict[str, float] = {}
    segments, markers = [], []
    for record in period.records:
        cuts = [
            s
            for s in record["segments"]
            if s["period"] == label and _instant(s["start"]) < end and _instant(s["end"]) > start
        ]
        if not cuts:
            continue
        key = report.verdict(record) if by_verdict else row_key(record)
        i = row_of.setdefault(key, len(row_of))
        y = AXIS + i * ROW + (ROW - BAR) / 2
        totals[key] = totals.get(key, 0) + sum(_seconds(s) for s in cuts)
        for s in cuts:
            a, z = _instant(s["start"]), _instant(s["end"])
            seconds = z - a
            clause = report.title_of(s["clause"]) if s["clause"] else "—"
            x, width = x_of(a), x_of(z) - x_of(a)
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
            if width < HAIRLINE and s["status"] in ("counted", "excluded"):
                markers.append((_fmt(x), _fmt(y)))
            right[key] = max(right.get(key, 0.0), x + width)
            left[key] = min(left.get(key, RIGHT), x)
    rows = []
    labels: list[tuple[float, float, str, str]] = []
    for key, i in row_of.items():
        y = AXIS + i * ROW + (ROW - BAR) / 2
        rows.append((short_id(key), _fmt(y + BAR - 3), key))
        x = right[key]
        after = x + 4 < RIGHT - 50
        anchor = ("start", x + 4) if after else ("end", left[key] - 4)
        labels.append((_fmt(anchor[1]), _fmt(y + BAR - 3), anchor[0], hms(totals[key])))
    height = AXIS + max(len(row_of), 1) * ROW + 6
    bands = tuple(
        Shape(
            _fmt(x_of(b.start)),
            AXIS - 4,
            _fmt(max(x_of(b.end) - x_of(b.start), 1.0)),
            height - AXIS + 4,
            "window" if b.qualifies else "window-not",
            f"{b.title}: {local(_iso(b.start, report))} – {local(_iso(b.end, report))}"
            + (f" ({b.notice})" if b.notice else ""),
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
        if b.start < end and b.end > start
    )
    return Timeline(
        RIGHT + 10,
        height,
        ticks(start, end, x_of, ZoneInfo(report.timezone)),
        bands,
        tuple(rows),
        tuple(labels),
        tuple(segments),
        tuple(markers),
        start,
        end,
        title,
    )


def _day_ticks(start: int, end: int, x_of: Any, tz: dt.tzinfo) -> tuple[Tick, ...]:
    """A tick a day (labelled every fifth day), a major one on the first of a month."""
    out = []
    day = dt.datetime.fromtimestamp(start, tz).date()
    while True:
        t = int(dt.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
        if t > end:
            break
        first = day.day == 1
        label = f"{day.month}/{day.day}" if first or day.day % 5 == 0 else ""
        out.append(Tick(_fmt(x_of(t)), label, first))
        day += dt.timedelta(days=1)
    return tuple(out)


def _hour_ticks(start: int, end: int, x_of: Any, tz: dt.tzinfo) -> tuple[Tick, ...]:
    """A tick every ten minutes, labelled on the hour (a zoom strip)."""
    out = []
    t = start - (start % 600)
    while t <= end:
        if t >= start:
            moment = dt.datetime.fromtimestamp(t, tz)
            on_hour = moment.minute == 0
            out.append(Tick(_fmt(x_of(t)), f"{moment:%H:%M}" if on_hour else "", on_hour))
        t += 600
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
