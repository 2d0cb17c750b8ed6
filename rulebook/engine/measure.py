"""Periods, denominators and availability, in exact arithmetic.

Periods are calendar months in the contract's timezone unless the contract says
``period quarter`` or a fixed length (``period 30 days``: each calendar month is measured
as if it were exactly 30 days long, the usual reading of "a month is 30 days").
Availability is ``(denominator - downtime) / denominator`` as a Fraction; it is shown as a
percentage with four decimals, truncated, so the figure never overstates availability.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from fractions import Fraction

import attrs

from rulebook import model as m
from rulebook.engine import timeline
from rulebook.engine.calendar import months_between
from rulebook.intake.billing import Billing
from rulebook.reprs import with_repr
from rulebook.satisfiable import magnitude


@with_repr
@attrs.frozen(repr=False)
class Period:
    """One measuring period: its label, its instants, and the seconds the formula uses."""

    label: str
    start: int
    end: int
    seconds: int


def periods(
    clause: m.AvailabilityClause | None, tz: dt.tzinfo, start: int, end: int
) -> list[Period]:
    """The periods from the one holding ``start`` to the one holding ``end - 1``."""
    first = dt.datetime.fromtimestamp(start, tz).date()
    last = dt.datetime.fromtimestamp(max(start, end - 1), tz).date()
    kind = clause.period if clause is not None and clause.period is not None else "calendar_month"
    if kind == "quarter":
        return list(_quarters(first, last, tz))
    out = []
    for year, month in months_between(first, last):
        p_start, p_end = _month_start(year, month, tz), _month_start(*_next(year, month), tz)
        seconds = p_end - p_start
        if isinstance(kind, m.Quantity):
            seconds = int(magnitude(kind) or seconds)
        out.append(Period(f"{year:04d}-{month:02d}", p_start, p_end, seconds))
    return out


def customer_start(billing: Billing | None, tz: dt.tzinfo) -> int | None:
    """The first instant that is the customer's: midnight of the billing entry's
    ``contract_start`` in the contract's timezone, or None when it is not given.

    "対象となるサービスをご利用いただいているお客様に…保証します": time before it is not the
    customer's downtime, so each engine measures a service's periods from it on
    (:func:`from_start`)."""
    if billing is None or billing.contract_start is None:
        return None
    return int(dt.datetime.combine(billing.contract_start, dt.time(), tzinfo=tz).timestamp())


def from_start(period: Period, start: int | None) -> Period | None:
    """The customer's part of a period: all of it, the part from ``start`` on (the first,
    partial period: its denominator is the seconds from the start to the period's end, or
    for a fixed-length period that length in proportion, rounded down), or None when the
    period ended before the customer began.

    >>> p = Period("2026-09", 0, 30 * 86400, 30 * 86400)
    >>> from_start(p, 15 * 86400).seconds == 15 * 86400
    True
    >>> from_start(p, 30 * 86400) is None
    True
    """
    if start is None or start <= period.start:
        return period
    if start >= period.end:
        return None
    part = period.end - start
    span = period.end - period.start
    seconds = part if period.seconds == span else period.seconds * part // span
    return Period(period.label, start, period.end, seconds)


def _quarters(first: dt.date, last: dt.date, tz: dt.tzinfo) -> Iterator[Period]:
    year, quarter = first.year, (first.month - 1) // 3
    while (year, quarter) <= (last.year, (last.month - 1) // 3):
        p_start = _month_start(year, 3 * quarter + 1, tz)
        p_end = _month_start(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, tz)
        yield Period(f"{year:04d}-Q{quarter + 1}", p_start, p_end, p_end - p_start)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _month_start(year: int, month: int, tz: dt.tzinfo) -> int:
    return int(dt.datetime(year, month, 1, tzinfo=tz).timestamp())


@with_repr
@attrs.frozen(repr=False)
class Measure:
    """One service's figures for one period."""

    period: Period
    denominator: int
    downtime: int
    excluded: int
    availability: Fraction | None  # None when the denominator is empty
    met: bool | None
    incident_start: int | None = None  # the earliest start of a record counted in it
    records: tuple[tuple[str, int], ...] = ()  # per remedy: its `records where` time
    observed: bool = True  # False: outside the span the log covers, "no data"


def measure(
    period: Period,
    counted: list[timeline.Interval],
    excluded: list[timeline.Interval],
    planned: list[timeline.Interval],
    target: m.Comparison | None,
    incident_start: int | None = None,
    selected: dict[str, list[timeline.Interval]] | None = None,
) -> Measure:
    """Availability of one period from the service's counted and planned intervals;
    ``selected``, per remedy with `records where`, the union of its records' spans."""
    return measure_seconds(
        period,
        timeline.total(timeline.clip(counted, period.start, period.end)),
        timeline.total(timeline.clip(excluded, period.start, period.end)),
        timeline.total(timeline.clip(planned, period.start, period.end)),
        target,
        incident_start,
        tuple(
            (cid, timeline.total(timeline.clip(spans, period.start, period.end)))
            for cid, spans in sorted((selected or {}).items())
        ),
    )


def measure_seconds(
    period: Period,
    downtime: int,
    excluded: int,
    planned: int,
    target: m.Comparison | None,
    incident_start: int | None = None,
    records: tuple[tuple[str, int], ...] = (),
) -> Measure:
    """Availability of one period from seconds already clipped to it: counted downtime,
    excluded time (not also counted) and planned stops taken out of the denominator;
    ``incident_start`` is the earliest start of a record counted in the period (the month
    its incident began, for `claim by incident month end`).
    Both evaluators end here, so the arithmetic is written once."""
    denominator = period.seconds - planned
    if denominator <= 0:
        return Measure(period, denominator, downtime, excluded, None, None, incident_start, records)
    availability = Fraction(denominator - downtime, denominator)
    met = meets(availability, target)
    return Measure(
        period, denominator, downtime, excluded, availability, met, incident_start, records
    )


def availability_clause(contract: m.Contract) -> m.AvailabilityClause | None:
    """The contract's availability clause (check allows one), or None."""
    return next((c for c in contract.clauses if isinstance(c, m.AvailabilityClause)), None)


def availability_target(contract: m.Contract) -> m.Comparison | None:
    clause = availability_clause(contract)
    return clause.target if clause is not None else None


def selections(contract: m.Contract) -> list[tuple[str, m.Condition]]:
    """The remedies that measure the time of their own records (`records where`)."""
    return [
        (c.id, c.records)
        for c in contract.clauses
        if isinstance(c, m.RemedyClause) and c.records is not None
    ]


#: The span a log covers, as given (``--since``/``--until``, the project file): either
#: side None when not given.
Given = tuple[int | None, int | None]


def observed_span(
    clause: m.AvailabilityClause | None, tz: dt.tzinfo, starts: list[int], given: Given
) -> tuple[int, int] | None:
    """The span ``[start, end)`` the log covers, which decides the periods measured: as
    given, each side not given taken from the log — from the start of the period of its
    earliest record's start to the end of the period of its latest record's start (a
    record running past that period does not make the next one observed). None for a log
    of no records with no span given."""
    since, until = given
    if starts:
        first, last = min(starts), max(starts)
        since = periods(clause, tz, first, first + 1)[0].start if since is None else since
        until = periods(clause, tz, last, last + 1)[-1].end if until is None else until
    if since is None or until is None or until <= since:
        return None
    return since, until


def observed(period: Period, span: tuple[int, int] | None) -> bool:
    """Whether a period overlaps the span the log covers (it is measured)."""
    return span is not None and period.start < span[1] and period.end > span[0]


def no_data(measured: Measure) -> Measure:
    """A period outside the span the log covers: its seconds as the records give them, no
    availability and no verdict on the target."""
    return attrs.evolve(measured, availability=None, met=None, observed=False)


def meets(availability: Fraction, target: m.Comparison | None) -> bool | None:
    """Whether an availability (a fraction of 1) meets the target; None without one."""
    if target is None:
        return None
    goal = target.quantity.value / 100
    op = target.op or (
        ">" if target.word is not None and target.word.word in ("超", "超える") else ">="
    )
    return availability > goal if op == ">" else availability >= goal


def percent(value: Fraction, decimals: int = 4) -> str:
    """A fraction of 1 as a percentage, truncated (never rounded up).

    >>> percent(Fraction(43157, 43200))
    '99.9004'
    >>> percent(Fraction(999, 1000))
    '99.9000'
    """
    scaled = value * 100 * 10**decimals
    whole = scaled.numerator // scaled.denominator
    text = str(whole).rjust(decimals + 1, "0")
    return f"{text[:-decimals]}.{text[-decimals:]}"
