"""What the record engine's stages share: a :class:`Run` over one input, and the
:class:`Verdict` of each record, cut into :class:`Segment` values with their reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from rulebook import model as m
from rulebook.engine.measure import Given, Measure, Period
from rulebook.engine.obligations import Outcome
from rulebook.engine.remedy import Remedy
from rulebook.engine.trace import Reason
from rulebook.engine.windows import Window
from rulebook.intake.billing import Billing
from rulebook.intake.records import (
    Notice,
    OutageRecord,
)
from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class Segment:
    """A piece of a record inside one period, with its status and the deciding clause."""

    start: int
    end: int
    status: str  # counted, excluded, not_downtime, out_of_scope
    clause: str | None
    period: str


@with_repr
@attrs.define(repr=False)
class Verdict:
    """What the engine decided for one record."""

    record: OutageRecord
    end: int
    verdict: str = "counted"
    segments: list[Segment] = attrs.field(factory=list)
    reasons: list[Reason] = attrs.field(factory=list)
    obligations: list[Outcome] = attrs.field(factory=list)

    def seconds(self, status: str) -> int:
        """Seconds of this record's own segments with ``status``."""
        return sum(s.end - s.start for s in self.segments if s.status == status)


@with_repr
@attrs.define(repr=False)
class Run:
    """The state the stages share while adjudicating one input."""

    contract: m.Contract
    tz: dt.tzinfo
    raw_outages: list[Any]
    raw_notices: list[Any]
    as_of: int | None
    closures: frozenset[dt.date] = frozenset()
    raw_billing: list[Any] = attrs.field(factory=list)
    raw_events: list[Any] = attrs.field(factory=list)
    billing: dict[str, Billing] = attrs.field(factory=dict)
    remedies: dict[tuple[str, str], Remedy | None] = attrs.field(factory=dict)
    records: list[OutageRecord] = attrs.field(factory=list)
    notices: list[Notice] = attrs.field(factory=list)
    verdicts: dict[str, Verdict] = attrs.field(factory=dict)
    downtime_candidates: dict[str, list[Verdict]] = attrs.field(factory=dict)
    windows: list[Window] = attrs.field(factory=list)
    causal: list[str] | None = None
    periods: list[tuple[str, Measure]] = attrs.field(factory=list)
    period_cuts: list[Period] = attrs.field(factory=list)
    given: Given = (None, None)  # the span the log covers, as given (--since, --until)
    span: tuple[int, int] | None = None  # the span the log covers (observed_span)
