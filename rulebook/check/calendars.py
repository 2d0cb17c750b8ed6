"""Business calendars and maintenance windows and notices."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from rulebook import model as m
from rulebook.check.quantities import check_deadline_word, check_dimension
from rulebook.check.scope import Scope, error, unknown
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import EMERGENCY, NOTICE_WORDS, WEEKDAYS
from rulebook.text import did_you_mean


def check_calendars(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Weekdays, holiday countries and business hours are valid and ordered."""
    for clause in contract.clauses:
        if not isinstance(clause, m.CalendarClause):
            continue
        if not clause.weekdays:
            yield error(
                "no-weekdays",
                f"calendar {clause.id} has no working weekdays",
                clause.span,
                "add `weekdays mon, tue, wed, thu, fri`",
            )
        for day in clause.weekdays:
            if day.name not in WEEKDAYS:
                yield unknown("weekday", day.name, day.span, WEEKDAYS, "bad-weekday")
        country = clause.holidays
        supported = _holiday_countries() if country is not None else []
        if country is not None and country.name not in supported:
            yield error(
                "bad-holidays",
                f"no public-holiday data for country '{country.name}'",
                country.span,
                (len(country.name) == 2 and did_you_mean(country.name.upper(), supported))
                or "write a two-letter ISO 3166-1 code, e.g. JP",
            )
        yield from _check_hours(clause)


@functools.cache
def _holiday_countries() -> list[str]:
    """Two-letter codes of the countries the holidays package has data for.

    Read from its registry: ``list_supported_countries()`` loads every country (a tenth of
    a second). Records use alpha-2 codes only, so the alpha-3 aliases are left out.
    """
    from holidays.registry import COUNTRIES as REGISTRY

    return sorted(entry[1] for entry in REGISTRY.values())


def _check_hours(clause: m.CalendarClause) -> Iterator[Diagnostic]:
    previous: m.TimeRange | None = None
    for block in clause.hours:
        if block.end <= block.start:
            yield error(
                "bad-hours",
                "business hours end before they start",
                block.span,
                "write the earlier time first, e.g. 10:00-12:00; 24:00 ends the day",
            )
        elif previous is not None and block.start < previous.end:
            yield error(
                "bad-hours",
                "business hours overlap or are out of order",
                block.span,
                "list the blocks of a day in order, without overlap (10:00-12:00, 13:00-18:00)",
            )
        previous = block


def calendar_with_hours(name: str, span: m.Span, scope: Scope) -> Iterator[Diagnostic]:
    calendars = {c.id: c for c in scope.calendars()}
    if name not in calendars:
        yield unknown("calendar", name, span, calendars, "unknown-clause")
    elif not calendars[name].hours:
        yield error(
            "no-hours",
            f"calendar {name} declares no business hours",
            span,
            "add `hours 10:00-18:00` to the calendar",
        )


def check_maintenance(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Notice rules name known channels and time leads; recurring windows are well formed."""
    channels = scope.facts.get("channel")
    calendars = scope.calendars()
    for clause in contract.clauses:
        if not isinstance(clause, m.MaintenanceClause):
            continue
        if not clause.notices and clause.recurrence is None:
            yield error(
                "empty-maintenance",
                f"maintenance {clause.id} says neither how it is announced nor when it recurs",
                clause.span,
                "add `notice by email at least 1 week before` or `every 4th thursday 22:00-24:00`",
            )
        for rule in clause.notices:
            if channels is not None and channels.code(rule.channel.name) is None:
                yield unknown(
                    "channel",
                    rule.channel.name,
                    rule.channel.span,
                    [c.name for c in channels.codes],
                    "unknown-code",
                )
            if rule.lead is not None:
                # Business-time leads would need counting business days backwards from the
                # work; no seed needs them, so they are refused rather than guessed.
                yield from check_dimension(rule.lead, ("time", "calendar"), "a notice lead")
            if rule.word is not None:
                yield from check_deadline_word(rule.word, NOTICE_WORDS, "a notice lead")
        if clause.emergency is not None and clause.emergency.name not in EMERGENCY:
            yield unknown(
                "emergency rule",
                clause.emergency.name,
                clause.emergency.span,
                EMERGENCY,
                "bad-emergency",
            )
        if clause.recurrence is not None:
            day = clause.recurrence.weekday
            if day.name not in WEEKDAYS:
                yield unknown("weekday", day.name, day.span, WEEKDAYS, "bad-weekday")
            window = clause.recurrence.window
            if window.end <= window.start:
                yield error(
                    "bad-hours",
                    "a maintenance window ends before it starts",
                    window.span,
                    "write 22:00-24:00 for a window to midnight",
                )
        if clause.moves and clause.moved_on is None and len(calendars) != 1:
            yield error(
                "no-calendar",
                f"maintenance {clause.id} moves to the next business day, but "
                + (
                    "the contract has no calendar"
                    if not calendars
                    else "names none of its calendars"
                ),
                clause.span,
                "write `moved to next business day of CALENDAR`",
            )
