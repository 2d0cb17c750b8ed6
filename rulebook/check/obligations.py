"""Obligations: a clock between two events, a deadline, a calendar for business time."""

from __future__ import annotations

from collections.abc import Iterator

from rulebook import model as m
from rulebook import units
from rulebook.check.calendars import calendar_with_hours
from rulebook.check.quantities import check_deadline_word, check_dimension
from rulebook.check.scope import Scope, error, unknown
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import AT_LEAST_WORDS, WITHIN_WORDS


def check_obligations(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Obligations name known events, a deadline, and a calendar for business time."""
    calendars = scope.calendars()
    for clause in contract.clauses:
        if not isinstance(clause, m.ObligationClause):
            continue
        if clause.start_event is None or clause.deadline is None:
            yield error(
                "incomplete-obligation",
                f"obligation {clause.id} needs a clock (`from EVENT to EVENT`) "
                "and a deadline (`within ...` or `at least ...`)",
                clause.span,
                "e.g. `from recognized_at to first_report_at` and `within 3 business hours (以内)`",
            )
        for event in (clause.start_event, clause.stop_event):
            if event is not None and event.name not in scope.events and contract.vocabulary:
                yield unknown("event", event.name, event.span, scope.events, "unknown-event")
        if clause.deadline is not None:
            unit = units.canonical(clause.deadline.written)
            yield from check_dimension(
                clause.deadline, ("time", "business_time", "calendar"), "a deadline"
            )
            if unit and unit.dimension == "business_time":
                needs_hours = unit.name == "business hour"  # business days need no hours
                if clause.calendar is None and len(calendars) != 1:
                    yield error(
                        "no-calendar",
                        f"obligation {clause.id} counts business time but names no calendar",
                        clause.deadline.span,
                        "add `on CALENDAR` after the deadline",
                    )
                elif not needs_hours:
                    pass
                elif clause.calendar is None and not calendars[0].hours:
                    yield from calendar_with_hours(calendars[0].id, clause.deadline.span, scope)
                elif clause.calendar is not None and scope.clauses.get(clause.calendar.name):
                    yield from calendar_with_hours(
                        clause.calendar.name, clause.calendar.span, scope
                    )
        if clause.deadline_word is not None:
            allowed = AT_LEAST_WORDS if clause.minimum else WITHIN_WORDS
            yield from check_deadline_word(
                clause.deadline_word,
                allowed,
                "an `at least` lead" if clause.minimum else "a `within` deadline",
            )
