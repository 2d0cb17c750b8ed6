"""Business calendars and recurring windows, in the contract's timezone.

A :class:`BusinessCalendar` is compiled from a calendar clause: working weekdays, public
holidays from the ``holidays`` package, fixed annual closures (which may cross the new
year) and closures announced as input data.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator

import attrs

from rulebook import model as m
from rulebook.check import WEEKDAYS
from rulebook.errors import RulebookError


class CalendarError(RulebookError):
    """A calendar cannot answer: e.g. a year outside the holiday data's range."""


@attrs.frozen
class BusinessCalendar:
    """Which days are business days, and the business hours of such a day."""

    id: str
    weekdays: frozenset[int]  # Monday = 0
    country: str | None
    annual_closures: tuple[tuple[tuple[int, int], tuple[int, int]], ...]
    announced: frozenset[dt.date] = frozenset()
    hours: tuple[tuple[int, int], ...] = ()  # minutes from 0:00

    @classmethod
    def of(cls, clause: m.CalendarClause, announced: Iterable[dt.date] = ()) -> BusinessCalendar:
        """Compile a calendar clause; ``announced`` are closures given as input."""
        closures = tuple(((a.month, a.day), (b.month, b.day)) for a, b in clause.annual_closures)
        return cls(
            clause.id,
            frozenset(WEEKDAYS[d.name] for d in clause.weekdays),
            clause.holidays.name if clause.holidays else None,
            closures,
            frozenset(announced) if clause.announced_closures else frozenset(),
            tuple((h.start, h.end) for h in clause.hours),
        )

    def is_business_day(self, day: dt.date) -> bool:
        """A working weekday that is no holiday and no closure."""
        if day.weekday() not in self.weekdays or day in self.announced:
            return False
        if any(_in_closure(day, first, last) for first, last in self.annual_closures):
            return False
        return self.country is None or day not in _holidays(self.country, day.year)

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a business day, else the first one after it."""
        for _ in range(366):
            if self.is_business_day(day):
                return day
            day += dt.timedelta(days=1)
        raise CalendarError(f"calendar {self.id} has no business day within a year of {day}")


def _in_closure(day: dt.date, first: tuple[int, int], last: tuple[int, int]) -> bool:
    key = (day.month, day.day)
    if first <= last:
        return first <= key <= last
    return key >= first or key <= last  # 12/30 to 1/3 crosses the new year


@functools.cache
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    import holidays as holidays_lib

    table = holidays_lib.country_holidays(country, years=year)
    first, last = getattr(table, "start_year", None), getattr(table, "end_year", None)
    if (first is not None and year < first) or (last is not None and year > last):
        raise CalendarError(
            f"the holidays data for {country} covers {first}-{last}, not {year}: "
            "business days of that year cannot be known"
        )
    return frozenset(table.keys())


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> dt.date | None:
    """The ``ordinal``-th ``weekday`` of a month (-1: the last); None if there is none.

    >>> nth_weekday(2023, 11, 3, 4)
    datetime.date(2023, 11, 23)
    """
    if ordinal == -1:
        last = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    return day if day.month == month else None


def months_between(start: dt.date, end: dt.date) -> Iterator[tuple[int, int]]:
    """Every (year, month) from the month of ``start`` to the month of ``end``."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def recurring_windows(
    recurrence: m.Recurrence,
    tz: dt.tzinfo,
    start: int,
    end: int,
    calendar: BusinessCalendar | None,
) -> list[tuple[int, int, dt.date, dt.date]]:
    """The windows of a recurrence overlapping ``[start, end)``, as
    ``(start, end, scheduled_day, actual_day)``; moved to the next business day of
    ``calendar`` when one is given and the scheduled day is not a business day."""
    weekday = WEEKDAYS[recurrence.weekday.name]
    first = dt.datetime.fromtimestamp(start, tz).date() - dt.timedelta(days=31)
    last = dt.datetime.fromtimestamp(end, tz).date()
    out = []
    for year, month in months_between(first, last):
        scheduled = nth_weekday(year, month, weekday, recurrence.ordinal)
        if scheduled is None:
            continue
        day = calendar.next_business_day(scheduled) if calendar else scheduled
        window_start = _at(day, recurrence.window.start, tz)
        window_end = _at(day, recurrence.window.end, tz)
        if window_start < end and window_end > start:
            out.append((window_start, window_end, scheduled, day))
    return out


def _at(day: dt.date, minutes: int, tz: dt.tzinfo) -> int:
    """The instant ``minutes`` after 0:00 of ``day`` in ``tz`` (24:00 is the next 0:00)."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    local = midnight + dt.timedelta(minutes=minutes)
    return int(local.replace(tzinfo=None).replace(tzinfo=tz).timestamp())


def start_of_day(seconds: int, tz: dt.tzinfo) -> int:
    """0:00 of the day (in ``tz``) that holds the instant."""
    day = dt.datetime.fromtimestamp(seconds, tz).date()
    return _at(day, 0, tz)


def add_calendar(seconds: int, quantity: m.Quantity, tz: dt.tzinfo, sign: int = 1) -> int:
    """``seconds`` moved by a fixed or calendar quantity (months clamp to the month's end).

    >>> import zoneinfo, rulebook.model as m
    >>> from fractions import Fraction
    >>> tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    >>> t = int(dt.datetime(2026, 3, 31, 10, tzinfo=tz).timestamp())
    >>> q = m.Quantity(Fraction(1), "month", "month", m.NOWHERE)
    >>> dt.datetime.fromtimestamp(add_calendar(t, q, tz, -1), tz).isoformat()
    '2026-02-28T10:00:00+09:00'
    """
    from rulebook import units

    unit = units.canonical(quantity.written)
    if unit is None:
        raise CalendarError(f"unknown unit '{quantity.written}'")
    if unit.seconds is not None:
        return seconds + sign * int(quantity.value * unit.seconds)
    if unit.dimension != "calendar":
        raise CalendarError(f"'{quantity.written}' needs a business calendar")
    months = int(quantity.value) * (12 if unit.name == "year" else 1)
    local = dt.datetime.fromtimestamp(seconds, tz).replace(tzinfo=None)
    total = local.year * 12 + (local.month - 1) + sign * months
    year, month = divmod(total, 12)
    month += 1
    days_in = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.date(year, month, 1)).days
    moved = local.replace(year=year, month=month, day=min(local.day, days_in))
    return int(moved.replace(tzinfo=tz).timestamp())
