"""Calendars as maintenance notices: an iCalendar file (RFC 5545, ``.ics``) — what
providers send as maintenance invitations and publish as maintenance calendars — read as
notices, recurring events expanded (``icalendar`` parses, ``recurring-ical-events``
expands RRULE, RDATE, EXDATE and moved occurrences).

Each occurrence of a ``VEVENT`` is one notice:

- ``id``: the event's ``UID``; an event of several occurrences gives ``UID@START``
  (the occurrence's ``RECURRENCE-ID``, else its start, ISO 8601 as written: a moved
  occurrence keeps the id of the one it replaces), so ids stay unique;
- ``start``, ``end``: ``DTSTART`` and ``DTEND`` (or ``DTSTART`` + ``DURATION``); a time
  with ``TZID`` or ``Z`` keeps its offset, a floating time is read in the contract's (or the
  project's) timezone as any naive time is; an all-day event runs from midnight to
  midnight;
- ``announced_at``: ``CREATED`` (when the provider made the event), else, in an invitation
  (a calendar with a ``METHOD``), ``DTSTAMP`` (when it was sent); else unknown;
- ``service``: ``*`` (every service), unless the project file reads one of the event's
  ``summary``, ``location``, ``categories`` or ``method`` as ``service``
  (``[notices.columns] "categories" = "service"``); ``channel`` likewise
  (``"method" = "channel"`` with ``[notices.values.channel] "REQUEST" = "email"``).
  Those four properties are offered to the maps, never warned about when left unread.

A cancelled event (``STATUS:CANCELLED``) is no notice. A recurrence without an end is
expanded up to :data:`~rulebook.limits.CALENDAR_YEARS` years past the last instant the
file names (never past ``MAX_YEAR``), and a calendar of more than
:data:`~rulebook.limits.MAX_CALENDAR_OCCURRENCES` occurrences is refused, counted one at a
time (:func:`_bound`). An RRULE's INTERVAL or COUNT below 1 is refused; an event of an
instant out of the years read, of an end not after its start, or of a UID that another
event (without RECURRENCE-ID) gives too, is one notice as written, which the notice intake
refuses as it refuses a CSV notice.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from typing import Any

from rulebook import limits
from rulebook.io.readers import Case, InputError, Item, case_of_text, detect, read_text

#: The event properties offered to ``[notices.columns]`` (lower case, as item keys).
PROPERTIES = ("summary", "location", "categories", "method")
SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")


def read_input(path: str, kind: str, encoding: str | None = None) -> Case:
    """A file given as ``kind`` (notices, billing, events): a calendar's events as notices,
    else as :func:`~rulebook.io.readers.read_case` reads it."""
    text, name = read_text(path, encoding)
    if is_calendar(path, text):
        if kind != "notices":
            raise InputError(
                f"{name}: a calendar is read as maintenance notices only; give it as --notices"
            )
        return Case(notices=read_calendar(text, name))
    return case_of_text(text, name, detect(path, text, None), kind)


def is_calendar(path: str, text: str) -> bool:
    """Whether a file is an iCalendar file, by its extension or its first line."""
    return path.lower().endswith(SUFFIXES) or text.lstrip("\ufeff \r\n\t").upper().startswith(
        "BEGIN:VCALENDAR"
    )


def read_calendar(text: str, name: str) -> list[Item]:
    """Every occurrence of every event of an iCalendar text, as notice items. An event
    whose own times the notice intake would refuse (a year out of range, an end not after
    its start, a UID given twice) is not expanded: it is one item of its times as written,
    so the intake refuses it in the CSV notice's words."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises many kinds for a file it cannot parse
        head = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"{name}: not an iCalendar file ({limits.shorten(head, 120)}); accepted: "
            "RFC 5545 text, BEGIN:VCALENDAR ... END:VCALENDAR"
        ) from None
    method = str(calendar.get("METHOD", "")).strip() or None
    events = [c for c in calendar.walk("VEVENT")]
    if not events:
        return []
    places = {id(event): _place(name, number, event) for number, event in enumerate(events, 1)}
    place = name
    try:
        for event in events:
            place = places[id(event)]
            _check_rules(event, place)
        place = name
        bad: list[Item] = []
        for event, data in _as_written(events):
            bad.append(Item(places[id(event)], data))
            _remove(calendar, event)
        events = [c for c in calendar.walk("VEVENT")]
        if not events:
            return bad
        first, horizon = _span(events)  # every rule's UNTIL counts, as written
        for event in events:
            place = places[id(event)]
            _drop_rules_without_occurrence(event, horizon)
        streams = []
        for event in events:
            place = places[id(event)]
            if event.get("RECURRENCE-ID") is None:
                streams.append(_starts(event, horizon))
        place = name
        _bound(streams, name)
        found: list[Any] = recurring_ical_events.of(calendar).between(first, horizon)
        if len(found) > limits.MAX_CALENDAR_OCCURRENCES:  # moved occurrences the rules lack
            raise InputError(_too_many(name, horizon))
        found = _unique(found)
        counts: dict[str, int] = {}
        for event in found:
            uid = str(event.get("UID", "")).strip()
            counts[uid] = counts.get(uid, 0) + 1
        return [*bad, *_items(found, counts, method, name)]
    except InputError:
        raise
    except Exception as exc:  # a broken property or rule: icalendar's and the expansion's kinds
        raise InputError(
            f"{place}: an event cannot be read ({type(exc).__name__}: "
            f"{limits.shorten((str(exc).splitlines() or [''])[0], 160)}); accepted: VEVENTs "
            "with DTSTART, DTEND or DURATION, RRULE, RDATE and EXDATE as RFC 5545 writes them"
        ) from None


def _place(name: str, number: int, event: Any) -> str:
    uid = str(event.get("UID", "")).strip()
    return f"{name}: event {number} ({limits.shorten(uid or '-', 60)})"


def _uid(event: Any, number: int) -> str:
    return str(event.get("UID", "")).strip() or f"event-{number}"


def _check_rules(event: Any, place: str) -> None:
    """An RRULE's INTERVAL and COUNT are whole numbers from 1 (RFC 5545, 3.3.10): an
    INTERVAL of 0 never moves on (the expansion would run forever), a COUNT of 0 or less
    would drop the event without a word."""
    for rule in _rules(event):
        for part in ("INTERVAL", "COUNT"):
            for value in rule.get(part) or ():
                if not isinstance(value, int) or value < 1:  # in a record error's words
                    raise InputError(
                        f"{place}: notice {_uid(event, 0)}, field 'RRULE': "
                        f"'{rule.to_ical().decode()}' has {part}={value}; "
                        f"accepted: {part} a whole number from 1"
                    )


#: The parts of a rule that choose its days: every occurrence falls on a day they all
#: admit, whatever the rule's frequency, interval or times.
DAY_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "WKST")

#: A window of 400 years at the end of the years ``datetime`` holds: the Gregorian
#: calendar repeats itself every 400 years (146,097 days, a whole number of weeks), so the
#: days a rule's day parts admit in it are the days they admit in any such window.
CYCLE_START = dt.datetime(dt.MAXYEAR - 399, 1, 1)


def _drop_rules_without_occurrence(event: Any, horizon: dt.datetime) -> None:
    """Put a rule of no occurrence found at once in the place of each rule that has none
    by the horizon: those whose day parts admit no day at all (``BYMONTH=2;BYMONTHDAY=30``),
    and those of a daily or finer step whose interval never lands on a day they admit
    (``FREQ=DAILY;INTERVAL=7;BYDAY=TU`` from a Monday). The expansion looks for such a
    rule's first occurrence until the year 9999, a day at a time: 10-19 s an event for the
    first kind, 1-1.6 s for the second. Each rule is read in full first (one dateutil
    cannot read is refused, as the expansion refuses it); the rule put in its place keeps
    its UNTIL and COUNT (the expansion gives the event's start by its rules' latest UNTIL)."""
    from dateutil.rrule import rrulestr

    rules = _rules(event)
    start = _instant(event.get("DTSTART"))
    if not rules or start is None:
        return
    begin = start if isinstance(start, dt.datetime) else _key(start)
    placed = []
    for rule in rules:
        rrulestr(_text_of(rule), dtstart=begin)  # read whole: a part dateutil refuses
        empty = _admits_no_day(rule) or not _lands_by(rule, begin, horizon)
        placed.append(_of_no_occurrence(rule) if empty else rule)
    if all(new is old for new, old in zip(placed, rules, strict=True)):
        return
    del event["RRULE"]
    for rule in placed:
        event.add("RRULE", rule)


def _text_of(rule: Any, leaving: tuple[str, ...] = ("UNTIL",)) -> str:
    """A rule as dateutil reads it, the parts ``leaving`` left out (UNTIL by default:
    :func:`_starts` sets it apart)."""
    text: str = type(rule)({k: v for k, v in rule.items() if k not in leaving}).to_ical().decode()
    return text


def _of_no_occurrence(rule: Any) -> Any:
    """A rule that has no occurrence and says so at once (February 30th, then a step past
    the year 9999), with ``rule``'s UNTIL and COUNT."""
    parts: dict[str, Any] = {"FREQ": ["YEARLY"], "INTERVAL": [10_000], "BYMONTH": [2],
                             "BYMONTHDAY": [30]}  # fmt: skip
    parts.update({k: rule[k] for k in ("UNTIL", "COUNT") if rule.get(k)})
    return type(rule)(parts)


def _lands_by(rule: Any, begin: dt.datetime, horizon: dt.datetime) -> bool:
    """Whether a rule of a daily or finer step and an interval over 1 has an occurrence by
    the horizon (any other rule: True, its first occurrence is found at once). It is looked
    for from the same start a whole number of 400-year cycles later (the same weekdays and
    leap years), as near the year 9999 as the horizon allows: the search past the horizon
    is then a few centuries, not eighty (its UNTIL and COUNT left out: they only end it)."""
    from dateutil.rrule import rrulestr

    freq = str((rule.get("FREQ") or [""])[0]).upper()
    interval = (rule.get("INTERVAL") or [1])[0]
    if freq not in ("DAILY", "HOURLY", "MINUTELY", "SECONDLY") or interval == 1:
        return True
    years = 400 * ((dt.MAXYEAR - 1 - horizon.year) // 400)
    if years <= 0:
        return True
    later = begin.replace(year=begin.year + years)
    found = rrulestr(_text_of(rule, ("UNTIL", "COUNT")), dtstart=later).after(later, inc=True)
    last = horizon.replace(year=horizon.year + years) + dt.timedelta(days=1)  # (an offset)
    return found is not None and _key(found) <= last


def _admits_no_day(rule: Any) -> bool:
    """Whether a rule's day parts admit no day: the same parts in a yearly rule (which
    expands them a year at a time instead of filtering a day at a time; an ordinal weekday
    such as ``1MO`` read as any Monday) find no day in a 400-year cycle."""
    from dateutil.rrule import rrulestr

    parts = {k: v for k, v in rule.items() if k in DAY_PARTS}
    if not set(parts) - {"WKST"}:
        return False  # every day is admitted
    if "BYDAY" in parts:
        parts["BYDAY"] = [str(d).lstrip("+-0123456789") for d in parts["BYDAY"]]
    text = type(rule)({"FREQ": ["YEARLY"], **parts}).to_ical().decode()
    return rrulestr(text, dtstart=CYCLE_START).after(CYCLE_START, inc=True) is None


def _as_written(events: list[Any]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The events not to expand, each with its notice as written (``id``, ``start``,
    ``end``): an instant out of the years read, an end not after the start, and every event
    of a UID that more than one event (without RECURRENCE-ID) gives."""
    masters: dict[str, int] = {}
    for event in events:
        if event.get("RECURRENCE-ID") is None:
            uid = str(event.get("UID", "")).strip()
            masters[uid] = masters.get(uid, 0) + 1
    for number, event in enumerate(events, start=1):
        start = _instant(event.get("DTSTART"))
        if start is None:
            continue  # the expansion's own error names it
        end = _end(event, start)
        uid = _uid(event, number)
        moved = _instant(event.get("RECURRENCE-ID"))
        written = str(event.get("UID", "")).strip()
        twice = moved is None and bool(written) and masters[written] > 1
        data: dict[str, Any] = {"id": uid if moved is None else f"{uid}@{_text(moved)}"}
        data["start"] = _text(start)
        if end is not None:
            data["end"] = _text(end)
        outside = [d for d in _dates(event, "RDATE") if not _in_years(d)]
        if outside:
            data["start"] = _text(outside[0])  # the occurrence the expansion would lose
        if (
            twice
            or outside
            or not _in_years(start)
            or (end is not None and (not _in_years(end) or _key(end) <= _key(start)))
        ):
            yield event, data


def _end(event: Any, start: dt.date) -> dt.date | None:
    """An event's end as written: DTEND, or DTSTART + DURATION, or an all-day start's next
    day."""
    end = _instant(event.get("DTEND"))
    try:
        if end is None and event.get("DURATION") is not None:
            end = start + event.decoded("DURATION")
        if end is None and not isinstance(start, dt.datetime):
            end = start + dt.timedelta(days=1)
    except OverflowError:
        return None  # past the year 9999: the start's year is refused first
    return end


def _in_years(value: dt.date) -> bool:
    return limits.MIN_YEAR <= value.year <= limits.MAX_YEAR


def _remove(calendar: Any, event: Any) -> None:
    for component in calendar.walk():
        if any(c is event for c in component.subcomponents):
            component.subcomponents = [c for c in component.subcomponents if c is not event]


def _dates(event: Any, key: str) -> list[dt.date]:
    """The dates and date-times of RDATE or EXDATE (a period: its start)."""
    values = event.get(key)
    if values is None:
        return []
    found: list[dt.date] = []
    for value in values if isinstance(values, list) else [values]:
        for item in getattr(value, "dts", ()):
            moment = item.dt[0] if isinstance(item.dt, tuple) else item.dt
            if isinstance(moment, dt.date):
                found.append(moment)
    return found


def _bound(streams: list[Iterator[dt.datetime]], name: str) -> None:
    """Refuse a calendar of more than MAX_CALENDAR_OCCURRENCES occurrences before its
    horizon, counting them one at a time (in the order of their start, every event's
    :func:`_starts` merged) so a dense rule stops at the bound, in time and memory."""
    for count, moment in enumerate(heapq.merge(*streams), start=1):
        if count > limits.MAX_CALENDAR_OCCURRENCES:
            raise InputError(_too_many(name, moment))


def _too_many(name: str, moment: dt.datetime) -> str:
    return (
        f"{name}: more than {limits.MAX_CALENDAR_OCCURRENCES:,} occurrences by "
        f"{moment.date()}; accepted: at most {limits.MAX_CALENDAR_OCCURRENCES:,} "
        "(docs/limits.md)"
    )


def _starts(event: Any, horizon: dt.datetime) -> Iterator[dt.datetime]:
    """An event's occurrence starts up to the horizon, in order, each once, EXDATEs left
    out (as comparable instants: :func:`_key`), computed one at a time. Its rules are
    read at once (a broken one raises here, not while counting)."""
    from dateutil.rrule import rrulestr

    start = _instant(event.get("DTSTART"))
    if start is None:
        return iter(())
    begin = start if isinstance(start, dt.datetime) else _key(start)
    streams: list[Iterator[dt.datetime]] = [iter([_key(start)])]
    streams.append(iter(sorted(_key(d) for d in _dates(event, "RDATE"))))
    for rule in _rules(event):
        until = _instant_of((rule.get("UNTIL") or [None])[0])
        expansion = rrulestr(_text_of(rule), dtstart=begin)
        if until is not None and not rule.get("COUNT"):
            expansion = expansion.replace(until=_as_of(until, begin))
        streams.append(_key(d) for d in expansion)
    skipped = {_key(d) for d in _dates(event, "EXDATE")}
    days = {d for d in _dates(event, "EXDATE") if not isinstance(d, dt.datetime)}
    return _once(heapq.merge(*streams), horizon, skipped, days)


def _once(
    moments: Iterator[dt.datetime],
    horizon: dt.datetime,
    skipped: set[dt.datetime],
    days: set[dt.date],
) -> Iterator[dt.datetime]:
    last = None
    for moment in moments:
        if moment > horizon:
            return
        if moment == last or moment in skipped or moment.date() in days:
            continue
        last = moment
        yield moment


def _as_of(until: dt.date, start: dt.datetime) -> dt.datetime:
    """UNTIL as a date-time comparable with the rule's start (as recurring-ical-events reads
    it: a date at midnight, a UTC time kept for a zoned start, its wall time for a floating
    one)."""
    moment = until if isinstance(until, dt.datetime) else dt.datetime(*until.timetuple()[:3])
    if start.tzinfo is None:
        return moment.replace(tzinfo=None)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _items(
    found: list[Any], counts: dict[str, int], method: str | None, name: str
) -> Iterator[Item]:
    for number, event in enumerate(found, start=1):
        if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
            continue
        start = _instant(event.get("DTSTART"))
        end = _instant(event.get("DTEND"))
        if end is None and start is not None and event.get("DURATION") is not None:
            end = start + event.decoded("DURATION")
        if end is None and isinstance(start, dt.date) and not isinstance(start, dt.datetime):
            end = start + dt.timedelta(days=1)  # an all-day event of one day
        uid = str(event.get("UID", "")).strip()
        rid = uid or f"event-{number}"
        occurrence = _instant(event.get("RECURRENCE-ID")) or start
        if uid and counts[uid] > 1 and occurrence is not None:
            rid = f"{uid}@{_text(occurrence)}"
        data: dict[str, Any] = {"id": rid}
        if start is not None:
            data["start"] = _text(start)
        if end is not None:
            data["end"] = _text(end)
        announced = _instant(event.get("CREATED"))
        if announced is None and method is not None:
            announced = _instant(event.get("DTSTAMP"))
        if announced is not None:
            data["announced_at"] = _text(announced)
        for key in PROPERTIES:
            value = method if key == "method" else _property(event.get(key.upper()))
            if value:
                data[key] = value
        yield Item(f"{name}: event {number} ({limits.shorten(uid or '-', 60)})", data)


def _next_month(at: dt.datetime) -> dt.datetime:
    return dt.datetime(at.year + at.month // 12, at.month % 12 + 1, 1)


def _unique(found: list[Any]) -> list[Any]:
    """Occurrences in the order of their start, each once (one that spans a month's end is
    found in both months)."""
    seen: dict[tuple[str, str, str], Any] = {}
    for event in found:
        start = _instant(event.get("DTSTART"))
        ident = _instant(event.get("RECURRENCE-ID")) or start
        key = (
            str(event.get("UID", "")),
            _text(ident) if ident is not None else "",
            _text(start) if start is not None else "",
        )
        seen.setdefault(key, event)
    return sorted(
        seen.values(),
        key=lambda e: (_key(_instant(e.get("DTSTART")) or dt.date.min), str(e.get("UID", ""))),
    )


def _span(events: list[Any]) -> tuple[dt.datetime, dt.datetime]:
    """Where the expansion starts (the month of the earliest start) and where unending
    recurrences stop: CALENDAR_YEARS past the latest instant the file writes."""
    latest = dt.datetime(limits.MIN_YEAR, 1, 1)
    earliest = dt.datetime(limits.MAX_YEAR, 12, 31)
    for event in events:
        start = _instant(event.get("DTSTART"))
        if start is not None:
            earliest = min(earliest, _key(start))
    for event in events:
        for key in ("DTSTART", "DTEND"):
            value = _instant(event.get(key))
            if value is not None:
                latest = max(latest, _key(value))
        for value in _dates(event, "RDATE"):
            latest = max(latest, _key(value))
        for rule in _rules(event):
            until = rule.get("UNTIL")
            for value in until or ():
                moment = _instant_of(value)
                if moment is not None:
                    latest = max(latest, _key(moment))
    year = min(latest.year + limits.CALENDAR_YEARS, limits.MAX_YEAR + 1)  # through MAX_YEAR
    first = dt.datetime(max(earliest.year, limits.MIN_YEAR), earliest.month, 1) - dt.timedelta(
        days=1
    )  # a day early: a time with an offset ahead of UTC
    return first, max(dt.datetime(year, 1, 1), first)


def _rules(event: Any) -> list[Any]:
    rule = event.get("RRULE")
    if rule is None:
        return []
    return rule if isinstance(rule, list) else [rule]


def _instant(prop: Any) -> dt.date | None:
    """A property's date or date-time (None when absent)."""
    if prop is None:
        return None
    return _instant_of(getattr(prop, "dt", prop))


def _instant_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    return None


def _key(value: dt.date) -> dt.datetime:
    """A date or date-time as a naive UTC-ish instant to compare (the horizon only)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime(value.year, value.month, value.day)


def _text(value: dt.date) -> str:
    """ISO 8601: a date-time as written (its offset if it has one), a date at midnight."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.isoformat()
        return value.replace(tzinfo=None).isoformat()
    return dt.datetime(value.year, value.month, value.day).isoformat()


def _property(value: Any) -> str | None:
    """A text property (CATEGORIES: its categories joined by ", ")."""
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(t for v in value if (t := _property(v)))
    cats = getattr(value, "cats", None)
    if cats is not None:
        return ", ".join(str(c) for c in cats)
    text = str(value).strip()
    return text or None
