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
from rulebook import units
from rulebook.errors import RulebookError
from rulebook.meanings import WEEKDAYS
from rulebook.reprs import with_repr


class CalendarError(RulebookError):
    """A calendar cannot answer: e.g. a year outside the holiday data's range."""


@with_repr
@attrs.frozen(repr=False)
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


# ------------------------------------------------------------------ business time


def business_hours(
    calendar: BusinessCalendar, day: dt.date, tz: dt.tzinfo
) -> list[tuple[int, int]]:
    """The business-hour intervals of ``day`` (none when it is not a business day).

    A calendar without hours counts the whole business day, 0:00 to 24:00.
    """
    if not calendar.is_business_day(day):
        return []
    blocks = calendar.hours or ((0, 24 * 60),)
    return [(_at(day, start, tz), _at(day, end, tz)) for start, end in blocks]


def _days_from(instant: int, tz: dt.tzinfo) -> Iterator[dt.date]:
    day = dt.datetime.fromtimestamp(instant, tz).date()
    for _ in range(3660):  # ten years: a calendar with no business day at all is an error
        yield day
        day += dt.timedelta(days=1)
    raise CalendarError("no business hours within ten years")


def next_opening(calendar: BusinessCalendar, instant: int, tz: dt.tzinfo) -> int:
    """``instant`` itself if it is inside business hours, else the next opening.

    >>> import zoneinfo, datetime as dt
    >>> tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    >>> cal = BusinessCalendar("b", frozenset(range(5)), "JP", (), hours=((600, 720), (780, 1080)))
    >>> t = int(dt.datetime(2026, 9, 18, 12, 30, tzinfo=tz).timestamp())  # Friday lunch
    >>> dt.datetime.fromtimestamp(next_opening(cal, t, tz), tz).isoformat()
    '2026-09-18T13:00:00+09:00'
    """
    for day in _days_from(instant, tz):
        for start, end in business_hours(calendar, day, tz):
            if instant < end:
                return max(start, instant)
    raise AssertionError("unreachable")


def add_business_seconds(
    calendar: BusinessCalendar, instant: int, seconds: int, tz: dt.tzinfo
) -> int:
    """The instant when ``seconds`` of business time have passed since ``instant``; the
    clock starts at the next opening when ``instant`` is outside business hours.

    >>> import zoneinfo, datetime as dt
    >>> tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    >>> cal = BusinessCalendar("b", frozenset(range(5)), "JP", (), hours=((600, 720), (780, 1080)))
    >>> t = int(dt.datetime(2026, 9, 18, 17, 0, tzinfo=tz).timestamp())  # Friday 17:00
    >>> due = add_business_seconds(cal, t, 3 * 3600, tz)  # 3 business hours
    >>> dt.datetime.fromtimestamp(due, tz).isoformat()  # 1 h Friday; 9/21-9/23 are holidays
    '2026-09-24T12:00:00+09:00'
    """
    remaining = seconds
    for day in _days_from(instant, tz):
        for start, end in business_hours(calendar, day, tz):
            if end <= instant:
                continue
            start = max(start, instant)
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
    raise AssertionError("unreachable")


def business_seconds_between(
    calendar: BusinessCalendar, start: int, end: int, tz: dt.tzinfo
) -> int:
    """Seconds of business time in ``[start, end)`` (0 when ``end <= start``)."""
    total = 0
    if end <= start:
        return 0
    for day in _days_from(start, tz):
        if _at(day, 0, tz) >= end:
            break
        for s, e in business_hours(calendar, day, tz):
            total += max(0, min(e, end) - max(s, start))
    return total


def end_of_nth_business_day(calendar: BusinessCalendar, instant: int, n: int, tz: dt.tzinfo) -> int:
    """The close of business of the ``n``-th business day after the day of ``instant``
    ("within 2 business days of recovery": by the close of the second business day after).
    The day of ``instant`` is not counted (民法 第140条) unless ``instant`` is exactly 00:00,
    when that day, if a business day, is the first (第140条 ただし書).

    >>> import zoneinfo, datetime as dt
    >>> tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    >>> cal = BusinessCalendar("b", frozenset(range(5)), "JP", (((12, 30), (1, 3)),),
    ...                        hours=((600, 1080),))
    >>> t = int(dt.datetime(2026, 12, 28, 15, 0, tzinfo=tz).timestamp())  # Monday
    >>> dt.datetime.fromtimestamp(end_of_nth_business_day(cal, t, 2, tz), tz).isoformat()
    '2027-01-04T18:00:00+09:00'
    >>> t = int(dt.datetime(2026, 9, 3, 0, 0, tzinfo=tz).timestamp())  # Thursday 00:00
    >>> dt.datetime.fromtimestamp(end_of_nth_business_day(cal, t, 2, tz), tz).isoformat()
    '2026-09-04T18:00:00+09:00'
    >>> dt.datetime.fromtimestamp(end_of_nth_business_day(cal, t + 1, 2, tz), tz).isoformat()
    '2026-09-07T18:00:00+09:00'
    """
    moment = dt.datetime.fromtimestamp(instant, tz)
    day = moment.date()
    if moment.time() == dt.time(0, 0):
        day -= dt.timedelta(days=1)  # the period starts at 00:00: its first day counts
    for _ in range(n):
        day = calendar.next_business_day(day + dt.timedelta(days=1))
    return business_hours(calendar, day, tz)[-1][1]


def add_business_days(calendar: BusinessCalendar, instant: int, n: int, tz: dt.tzinfo) -> int:
    """``n`` business days after ``instant``: the same business time of day, ``n`` business
    days later (the clock starts at the next opening when ``instant`` is outside hours).
    One business day is a whole day of business hours."""
    opening = next_opening(calendar, instant, tz)
    day = dt.datetime.fromtimestamp(opening, tz).date()
    into = business_seconds_between(calendar, business_hours(calendar, day, tz)[0][0], opening, tz)
    for _ in range(n):
        day = calendar.next_business_day(day + dt.timedelta(days=1))
    return add_business_seconds(calendar, business_hours(calendar, day, tz)[0][0], into, tz)


def business_calendars(
    contract: m.Contract, closures: frozenset[dt.date] = frozenset()
) -> dict[str, BusinessCalendar]:
    return {
        c.id: BusinessCalendar.of(c, closures)
        for c in contract.clauses
        if isinstance(c, m.CalendarClause)
    }
