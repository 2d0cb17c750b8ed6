"""The contract model: frozen attrs records built by the parser, read by check and engine.

Every node carries a :class:`Span` so that a diagnostic or an explanation can point at the
line of the contract file it came from.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Union

import attrs

from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class Span:
    """Where a node came from: file, 1-based line and column, and where it ends."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NOWHERE = Span("<builtin>", 0, 0, 0, 0)


# ------------------------------------------------------------------ values


@with_repr
@attrs.frozen(repr=False)
class Quantity:
    """A number with a unit: ``30 min``, ``99.9 %``, ``3 business hours``, ``1 JPY``.

    ``value`` is exact; ``unit`` is the canonical unit name (see :mod:`rulebook.units`),
    ``written`` the unit as the author wrote it.
    """

    value: Fraction
    unit: str
    written: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Code:
    """A bare name used as a value: a vocabulary code (``war``) or a measure (``target``)."""

    name: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Text:
    """A quoted string value."""

    value: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Bool:
    """``true`` or ``false``."""

    value: bool
    span: Span = attrs.field(eq=False)


Value = Union[Quantity, Code, Text, Bool]


@with_repr
@attrs.frozen(repr=False)
class BoundaryWord:
    """The Japanese word the contract text used for a boundary (以上, 以内, 未満 ...)."""

    word: str
    span: Span = attrs.field(eq=False)


# ------------------------------------------------------------------ conditions


@with_repr
@attrs.frozen(repr=False)
class Compare:
    """``fact OP value``, optionally naming the Japanese boundary word."""

    fact: str
    op: str
    value: Value
    word: BoundaryWord | None
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Member:
    """``fact in {a, b}`` (``negated``: ``not in``). For set facts: every element is in."""

    fact: str
    values: tuple[Value, ...]
    negated: bool
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Includes:
    """``fact includes {a, b}``: a set fact shares at least one element with the values."""

    fact: str
    values: tuple[Value, ...]
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Known:
    """``fact is known`` / ``fact is unknown``: the only test that sees unknown as a value."""

    fact: str
    known: bool
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class During:
    """``event during CALENDAR hours``: the instant falls in the calendar's business hours."""

    fact: str
    calendar: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class DefinedBy:
    """``defined by CLAUSE``: the record is a failure as a downtime clause defines it (its
    probes and its `when`); obligations resolve it with :func:`defined_by`."""

    clause: Ref
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class ExcludedBy:
    """``excluded by CLAUSE, ...``: the record is wholly excluded, and one of these
    exclusion or maintenance clauses decided it — for obligations, whose targets a stop
    outside the SLA lifts ("本SLOは適用されません")."""

    clauses: tuple[Ref, ...]
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Flag:
    """A boolean fact on its own: ``self_resolved``."""

    fact: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Not:
    """Negation (three-valued: not unknown is unknown)."""

    item: Condition
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class All:
    """Conjunction."""

    items: tuple[Condition, ...]
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Any:
    """Disjunction."""

    items: tuple[Condition, ...]
    span: Span = attrs.field(eq=False)


Condition = Union[
    Compare, Member, Includes, Known, During, DefinedBy, ExcludedBy, Flag, Not, All, Any
]
Atom = Union[Compare, Member, Includes, Known, During, DefinedBy, ExcludedBy, Flag]


# ------------------------------------------------------------------ arithmetic


@with_repr
@attrs.frozen(repr=False)
class Variable:
    """A named measure in a remedy formula (``monthly_fee``, ``downtime``)."""

    name: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Binary:
    """``left OP right`` with OP one of + - * /."""

    op: str
    left: Expr
    right: Expr
    span: Span = attrs.field(eq=False)


Expr = Union[Quantity, Variable, Binary]


# ------------------------------------------------------------------ clause parts


@with_repr
@attrs.frozen(repr=False)
class Citation:
    """The article of the contract and the original sentence(s) a clause encodes."""

    article: str
    quotes: tuple[str, ...]
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Comparison:
    """A bound without a subject: ``>= 10 min (以上)``. ``op`` is None when not written."""

    op: str | None
    quantity: Quantity
    word: BoundaryWord | None
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Ref:
    """A reference to another clause by id."""

    name: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Name:
    """A bare name with its position (a probe, a weekday, a channel ...)."""

    name: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class TimeRange:
    """``HH:MM-HH:MM`` within one day; ``24:00`` is the end of the day. Minutes from 0:00."""

    start: int
    end: int
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class MonthDay:
    """A day of the year as month and day: ``12/30``."""

    month: int
    day: int
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class NoticeRule:
    """``notice by CHANNEL [at least LEAD] before``: how a maintenance must be announced."""

    channel: Name
    lead: Quantity | None
    word: BoundaryWord | None
    span: Span = attrs.field(eq=False)
    to_work_day: bool = False  # lead counted to the start of the work's day, not the work


@with_repr
@attrs.frozen(repr=False)
class Recurrence:
    """``every 4th thursday 22:00-24:00``: the nth weekday of each month."""

    ordinal: int  # 1..5, or -1 for "last"
    weekday: Name
    window: TimeRange
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Tier:
    """``tier < 99.99% and >= 99.0% credit 10%``: a credit band over availability."""

    bounds: tuple[Comparison, ...]
    credit: Quantity
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Cap:
    """``cap EXPR [per month|year|claim]``."""

    amount: Expr
    per: Name | None
    span: Span = attrs.field(eq=False)


# ------------------------------------------------------------------ clauses


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class Clause:
    """Fields every clause has: id, optional title, citation, position."""

    id: str
    title: str | None = None
    citation: Citation | None = None
    span: Span = attrs.field(eq=False)

    kind = "clause"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class ServicesClause(Clause):
    """Which services the contract covers, and which it names as not covered."""

    covers: tuple[Text, ...] = ()
    excludes: tuple[Text, ...] = ()

    kind = "services"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class AvailabilityClause(Clause):
    """The availability promise: period, target and the formula's denominator."""

    period: Quantity | str | None = None  # "calendar_month", "quarter" or a fixed length
    target: Comparison | None = None
    denominator_minus: tuple[Ref, ...] = ()

    kind = "availability"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class DowntimeClause(Clause):
    """What counts as downtime: probes, the threshold (a minimum continuous length: of the
    physical stoppage, or of the record) and its reading."""

    probes: tuple[Name, ...] = ()
    probe_interval: Quantity | None = None
    threshold: Comparison | None = None
    reading: Name | None = None  # "stoppage" (default) or "record"
    condition: Condition | None = None

    kind = "downtime"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class CalendarClause(Clause):
    """A business calendar: working weekdays, holidays, closures and business hours."""

    weekdays: tuple[Name, ...] = ()
    holidays: Name | None = None
    annual_closures: tuple[tuple[MonthDay, MonthDay], ...] = ()
    announced_closures: bool = False
    hours: tuple[TimeRange, ...] = ()

    kind = "calendar"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class MaintenanceClause(Clause):
    """Maintenance windows excluded from downtime: announced (notice rules) or recurring."""

    notices: tuple[NoticeRule, ...] = ()
    emergency: Name | None = None  # "excluded" or "counted"
    recurrence: Recurrence | None = None
    moved_on: Ref | None = None  # calendar whose next business day takes a moved window
    moves: bool = False
    condition: Condition | None = None  # `when`: the records its windows exclude time of

    kind = "maintenance"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class RuleClause(Clause):
    """An exclusion (the outage does not count) or an inclusion (it counts regardless)."""

    effect: str  # "exclude" or "count"
    condition: Condition | None = None
    unless: Condition | None = None
    related: bool = False
    overrides: tuple[Ref, ...] = ()

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "exclusion" if self.effect == "exclude" else "inclusion"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class ExceptionClause(Clause):
    """A named case in which another clause stops applying."""

    targets: tuple[Ref, ...]  # `to A, B, C`: every clause it narrows
    condition: Condition | None = None

    kind = "exception"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class RemedyClause(Clause):
    """What the provider owes when the promise is broken."""

    condition: Condition | None = None
    free: Quantity | None = None
    free_per_breach: bool = False
    refund: Expr | None = None
    tiers: tuple[Tier, ...] = ()
    caps: tuple[Cap, ...] = ()
    minimum: Expr | None = None
    claim_after: Quantity | None = None
    claim_set: bool = False
    claim_word: BoundaryWord | None = None
    claim_from_incident: bool = False  # `claim by incident month end`: from the month it began
    rounding: tuple[Name, Quantity] | None = None
    records: Condition | None = None  # `records where`: whose time `records_time` measures

    kind = "remedy"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class ObligationClause(Clause):
    """A deadline between two timeline events, with when it applies and its exceptions."""

    start_event: Name | None = None
    stop_event: Name | None = None
    deadline: Quantity | None = None
    minimum: bool = False  # `at least`: the stop event must come no sooner than the deadline
    to_close: bool = False  # `by close of Nth business day`: the end of that day's hours
    deadline_word: BoundaryWord | None = None
    calendar: Ref | None = None
    condition: Condition | None = None
    unless: Condition | None = None

    kind = "obligation"


@with_repr
@attrs.frozen(kw_only=True, repr=False)
class PerformanceClause(Clause):
    """A bound on a measured quantity other than availability (response time)."""

    measure: Name | None = None
    bound: Comparison | None = None

    kind = "performance"


AnyClause = Union[
    ServicesClause,
    AvailabilityClause,
    DowntimeClause,
    CalendarClause,
    MaintenanceClause,
    RuleClause,
    ExceptionClause,
    RemedyClause,
    ObligationClause,
    PerformanceClause,
]


# ------------------------------------------------------------------ vocabulary


@with_repr
@attrs.frozen(repr=False)
class CodeDecl:
    """One code of a code-typed fact, with its Japanese and English labels."""

    name: str
    ja: str
    en: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class FactDecl:
    """A fact records may carry: its type, labels and (for codes) the allowed codes."""

    name: str
    type: str  # code, bool, country, duration, number, text, instant, records
    is_set: bool
    ja: str
    en: str
    derived: bool
    codes: tuple[CodeDecl, ...]
    span: Span = attrs.field(eq=False)
    type_span: Span | None = attrs.field(default=None, eq=False)  # where the type is written

    def code(self, name: str) -> CodeDecl | None:
        """The declared code called ``name``, if any."""
        return next((c for c in self.codes if c.name == name), None)


@with_repr
@attrs.frozen(repr=False)
class EventDecl:
    """A timeline event (an instant on a record) that obligations' clocks use."""

    name: str
    ja: str
    en: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Vocabulary:
    """Facts and events shared by contracts, declared in the DSL."""

    name: str
    facts: tuple[FactDecl, ...]
    events: tuple[EventDecl, ...]
    span: Span = attrs.field(eq=False)

    def fact(self, name: str) -> FactDecl | None:
        """The fact called ``name``, if declared."""
        return next((f for f in self.facts if f.name == name), None)

    def event(self, name: str) -> EventDecl | None:
        """The event called ``name``, if declared."""
        return next((e for e in self.events if e.name == name), None)


@with_repr
@attrs.frozen(repr=False)
class Expectation:
    """One thing an example expects: ``what`` of ``target`` is ``value``.

    kinds: verdict (target record, value verdict, clause the deciding clause or None),
    seconds (value a status, amount the seconds), obligation (clause, value the verdict),
    met / availability / remedy / claim (target "SERVICE|PERIOD"; claim: the last day).
    """

    kind: str
    target: str
    value: str
    clause: str | None
    amount: Quantity | None
    span: Span = attrs.field(eq=False)
    #: Where the expected word and the deciding clause are written, for exact carets.
    value_span: Span | None = attrs.field(default=None, eq=False)
    clause_span: Span | None = attrs.field(default=None, eq=False)


@with_repr
@attrs.frozen(repr=False)
class Example:
    """A case beside the rules: input records and what the engine must decide."""

    id: str
    title: str | None
    outages: tuple[tuple[tuple[str, object], ...], ...]
    notices: tuple[tuple[tuple[str, object], ...], ...]
    billing: tuple[tuple[tuple[str, object], ...], ...]
    closures: tuple[str, ...]
    as_of: str | None
    expectations: tuple[Expectation, ...]
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Meta:
    """One metadata line of a contract (``title "..."``)."""

    key: str
    value: str
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Amendment:
    """A later version of a contract (``amendment ID "title" { effective "DATE" … }``): from
    its effective date its clauses replace those of the same id, its new ids are added and
    the ids it removes are gone (resolved by :mod:`rulebook.versions`)."""

    id: str
    title: str | None
    effective: Text | None
    citation: Citation | None
    removes: tuple[Ref, ...]
    clauses: tuple[AnyClause, ...]
    span: Span = attrs.field(eq=False)


@with_repr
@attrs.frozen(repr=False)
class Contract:
    """A parsed contract: metadata, clauses in file order (of its first version), the
    vocabulary it uses, and its amendments in file order."""

    id: str
    meta: tuple[Meta, ...]
    clauses: tuple[AnyClause, ...]
    vocabulary: Vocabulary | None
    file: str
    sha256: str
    span: Span = attrs.field(eq=False)
    examples: tuple[Example, ...] = ()
    amendments: tuple[Amendment, ...] = ()

    def get(self, key: str) -> str | None:
        """The value of metadata ``key`` (title, provider, source, language, timezone, kind)."""
        return next((m.value for m in self.meta if m.key == key), None)

    @property
    def title(self) -> str | None:
        """The contract's title."""
        return self.get("title")

    @property
    def kind(self) -> str | None:
        """``guarantee`` or ``objective``."""
        return self.get("kind")

    @property
    def timezone(self) -> str | None:
        """The IANA timezone naive timestamps are read in."""
        return self.get("timezone")

    def clause(self, clause_id: str) -> AnyClause | None:
        """The clause with this id, if any."""
        return next((c for c in self.clauses if c.id == clause_id), None)

    def of_kind(self, kind: str) -> list[AnyClause]:
        """The clauses of one kind, in file order."""
        return [c for c in self.clauses if c.kind == kind]
