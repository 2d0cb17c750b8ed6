"""Wall clocks and UTC offsets for columns, from Python's own timezone database.

polars carries its own copy of the timezone rules, which can differ from the one the
record engine reads through :mod:`zoneinfo` (another tzdata version; no daylight saving
time after 2037). One semantics needs one database: here offsets come from
:mod:`zoneinfo`, looked up once per distinct day, and applied to the columns with integer
arithmetic. A day on which the offset changes is done value by value, exactly as the record
engine does it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

DAY = 86400


def _offset(instant: int, tz: dt.tzinfo) -> int:
    delta = dt.datetime.fromtimestamp(instant, tz).utcoffset()
    assert delta is not None
    return int(delta.total_seconds())


def offsets(instants: pl.Series, tz: dt.tzinfo) -> pl.Series:
    """The UTC offset (seconds) in ``tz`` at each instant (POSIX seconds)."""
    days = instants // DAY
    table: dict[int, int | None] = {}
    for day in days.drop_nulls().unique().to_list():
        first, last = _offset(day * DAY, tz), _offset(day * DAY + DAY - 1, tz)
        table[day] = first if first == last else None
    by_day = days.replace_strict(list(table), list(table.values()), return_dtype=pl.Int64)
    changing = by_day.is_null() & instants.is_not_null()
    if changing.any():
        exact = [_offset(i, tz) for i in instants.filter(changing).to_list()]
        by_day = by_day.scatter(changing.arg_true(), pl.Series(exact, dtype=pl.Int64))
    return by_day.cast(pl.Int64)


def _localized(wall: int, tz: dt.tzinfo) -> int | None:
    """A wall-clock second as POSIX seconds; None when it is skipped or happens twice."""
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=wall)
    first, second = moment.replace(tzinfo=tz, fold=0), moment.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None
    return int(first.timestamp())


def from_wall(wall: pl.Series, tz: dt.tzinfo) -> pl.Series:
    """Wall-clock seconds (a naive timestamp's seconds since 1970-01-01) in ``tz`` as POSIX
    seconds; null where the wall time is skipped or repeated by a clock change."""
    days = wall // DAY
    table: dict[int, int | None] = {}
    for day in days.drop_nulls().unique().to_list():
        start, end = _localized(day * DAY, tz), _localized(day * DAY + DAY - 1, tz)
        if (
            start is not None
            and end is not None
            and start - day * DAY == end - (day * DAY + DAY - 1)
        ):
            table[day] = start - day * DAY  # minus the offset, the same all day
        else:
            table[day] = None
    shift = days.replace_strict(list(table), list(table.values()), return_dtype=pl.Int64)
    out = wall + shift
    changing = shift.is_null() & wall.is_not_null()
    if changing.any():
        exact = [_localized(w, tz) for w in wall.filter(changing).to_list()]
        out = out.scatter(changing.arg_true(), pl.Series(exact, dtype=pl.Int64))
    return out.cast(pl.Int64)


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def iso(instants: pl.Series, tz: dt.tzinfo) -> pl.Series:
    """Instants as ISO 8601 with the offset, as :func:`datetime.isoformat` writes them."""
    shift = offsets(instants, tz)
    names = shift.drop_nulls().unique().to_list()
    wall = pl.from_epoch(instants + shift, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    if not names:  # no instant at all (a log with no valid record)
        return wall.alias(instants.name)
    if len(names) == 1:  # one offset all along (a timezone without daylight saving time)
        return (wall + _offset_text(names[0])).alias(instants.name)
    suffix = shift.replace_strict(names, [_offset_text(s) for s in names], return_dtype=pl.String)
    return (wall + suffix).alias(instants.name)


def fixed_zone(tz: dt.tzinfo, start: int, end: int) -> str | None:
    """The fixed zone polars knows (``UTC``, ``Etc/GMT-9`` for +09:00) that has the offset
    ``tz`` has all through ``start``..``end`` (POSIX seconds), looked up day by day in
    Python's database; None when the offset changes in between or is not whole hours.
    polars writes an instant of such a zone (JSON) as :func:`datetime.isoformat` does."""
    first = _offset(start, tz)
    if first % 3600 or not -12 <= first // 3600 <= 14:
        return None
    for day in range(start // DAY, end // DAY + 1):
        if _offset(day * DAY, tz) != first or _offset(day * DAY + DAY - 1, tz) != first:
            return None
    hours = first // 3600
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def zoned(instants: pl.Series, zone: str) -> pl.Series:
    """Instants (POSIX seconds) as timestamps of ``zone`` (one of :func:`fixed_zone`)."""
    moments = pl.from_epoch(instants, time_unit="s").dt.replace_time_zone("UTC")
    return moments.dt.convert_time_zone(zone).alias(instants.name)
