"""Parse tree to model: the files, vocabularies, contracts, clauses and examples.

:class:`ToModel` runs inside the parser (:mod:`rulebook.grammar.parser`) and has one
method per grammar rule, named after it; the rules for conditions, values and quantities
are those of its base, :class:`rulebook.grammar.values.ValueBuilder`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
from lark import Token

from rulebook import model as m
from rulebook.grammar.amendments import AmendmentBuilder
from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class ParsedFile:
    """What one file declares: imports, vocabularies and contracts (not yet linked)."""

    file: str
    text: str
    imports: tuple[m.Text, ...]
    vocabularies: tuple[m.Vocabulary, ...]
    contracts: tuple[m.Contract, ...]


class ToModel(AmendmentBuilder[ParsedFile]):
    """One method per grammar rule, called with the rule's children as the parser reduces
    it; each returns a model node or a tagged clause item ``(field, value[, span])``."""

    # -- file

    def start(self, children: list[Any]) -> ParsedFile:
        imports = tuple(c for c in children if isinstance(c, m.Text))
        vocabularies = tuple(c for c in children if isinstance(c, m.Vocabulary))
        contracts = tuple(c for c in children if isinstance(c, m.Contract))
        return ParsedFile(self.file, self.source, imports, vocabularies, contracts)

    def import_decl(self, children: list[Token]) -> m.Text:
        return m.Text(self.string(children[0]), self.span(children[0]))

    # -- vocabulary

    def vocabulary(self, children: list[Any]) -> m.Vocabulary:
        name, *items = children
        facts = tuple(i for i in items if isinstance(i, m.FactDecl))
        events = tuple(i for i in items if isinstance(i, m.EventDecl))
        return m.Vocabulary(str(name), facts, events, self.span_of(children))

    def fact_decl(self, children: list[Any]) -> m.FactDecl:
        name, (type_name, is_set, type_span), (ja, en), *rest = children
        derived = any(r == "derived" for r in rest)
        codes: tuple[m.CodeDecl, ...] = next((r for r in rest if isinstance(r, tuple)), ())
        return m.FactDecl(
            str(name), type_name, is_set, ja, en, derived, codes, self.span(name), type_span
        )

    def simple_type(self, children: list[Token]) -> tuple[str, bool, m.Span]:
        return str(children[0]), False, self.span(children[0])

    def set_type(self, children: list[Token]) -> tuple[str, bool, m.Span]:
        return str(children[0]), True, self.span(children[0])

    def derived(self, children: list[Any]) -> str:
        return "derived"

    def labels(self, children: list[Token]) -> tuple[str, str]:
        return self.string(children[0]), self.string(children[1])

    def code_block(self, children: list[m.CodeDecl]) -> tuple[m.CodeDecl, ...]:
        return tuple(children)

    def code_decl(self, children: list[Any]) -> m.CodeDecl:
        name, (ja, en) = children
        return m.CodeDecl(str(name), ja, en, self.span(name))

    def event_decl(self, children: list[Any]) -> m.EventDecl:
        name, (ja, en) = children
        return m.EventDecl(str(name), ja, en, self.span(name))

    # -- contract

    def contract(self, children: list[Any]) -> m.Contract:
        name, *items = children
        metas = tuple(i for i in items if isinstance(i, m.Meta))
        clauses: tuple[m.AnyClause, ...] = tuple(i for i in items if isinstance(i, m.Clause))  # type: ignore[misc]
        examples = tuple(i for i in items if isinstance(i, m.Example))
        amendments = tuple(i for i in items if isinstance(i, m.Amendment))
        digest = hashlib.sha256(self.source.encode("utf-8")).hexdigest()
        return m.Contract(
            str(name),
            metas,
            clauses,
            None,
            self.file,
            digest,
            self.span(name),
            examples,
            amendments,
        )

    def meta(self, children: list[Token]) -> m.Meta:
        key, value = children
        text = self.string(value) if value.type == "STRING" else str(value)
        return m.Meta(str(key), text, self.span(value))

    def cite(self, children: list[Token]) -> tuple[str, Any]:
        article, *quotes = (self.string(t) for t in children)
        return "citation", m.Citation(article, tuple(quotes), self.span_of(children))

    def ref_list(self, children: list[Token]) -> tuple[m.Ref, ...]:
        return tuple(m.Ref(str(t), self.span(t)) for t in children)

    def _clause(
        self,
        cls: Callable[..., m.AnyClause],
        children: list[Any],
        many: tuple[str, ...] = (),
        **fixed: Any,
    ) -> m.AnyClause:
        """Build a clause from its id, optional title and tagged items.

        ``many`` names the fields that collect repeated items; any other field given twice
        is a diagnostic (the later one wins, so checking can go on).
        """
        name, *rest = children
        fields: dict[str, Any] = dict(fixed)
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            fields["title"] = self.string(rest.pop(0))
        seen: dict[str, m.Span] = {}
        items = [i for r in rest for i in (r if isinstance(r, list) else [r])]
        for key, value, *more in items:
            if value is None:
                continue
            if key in many:
                fields[key] = fields.get(key, ()) + (
                    value if isinstance(value, tuple) else (value,)
                )
                continue
            span = more[0] if more else getattr(value, "span", None)
            if not isinstance(span, m.Span) or not span.line:
                span = self.span(name)  # an item of keywords only: point at the clause
            if key in seen and key not in _SECONDARY_ITEMS:
                self.error(
                    "duplicate-item",
                    f"'{_ITEM_WORDS.get(key, key)}' is given twice in {name}",
                    span,
                    f"the first one is on line {seen[key].line}; keep one",
                )
            seen[key] = span
            fields[key] = value
        return cls(id=str(name), span=self.span(name), **fields)

    def services(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.ServicesClause, children, many=("covers", "excludes"))

    def covers(self, children: list[Token]) -> tuple[str, Any]:
        return "covers", tuple(m.Text(self.string(t), self.span(t)) for t in children)

    def excludes(self, children: list[Token]) -> tuple[str, Any]:
        return "excludes", tuple(m.Text(self.string(t), self.span(t)) for t in children)

    def availability(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.AvailabilityClause, children)

    def period_month(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "period", "calendar_month", self.span_of(children)

    def period_quarter(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "period", "quarter", self.span_of(children)

    def period_fixed(self, children: list[m.Quantity]) -> tuple[str, Any]:
        return "period", children[0]

    def target(self, children: list[m.Comparison]) -> tuple[str, Any]:
        return "target", children[0]

    def denominator(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "denominator_minus", children[0] if children else (), self.span_of(children)

    def downtime(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.DowntimeClause, children, many=("probes",))

    def probes(self, children: list[Any]) -> list[tuple[Any, ...]]:
        names = tuple(m.Name(str(t), self.span(t)) for t in children if isinstance(t, Token))
        interval = next((c for c in children if isinstance(c, m.Quantity)), None)
        return [("probes", names), ("probe_interval", interval)]

    def interval(self, children: list[m.Quantity]) -> m.Quantity:
        return children[0]

    def threshold(self, children: list[Any]) -> list[tuple[Any, ...]]:
        comparison, *rest = children
        span = self.span_of(children)
        return [("threshold", comparison, span)] + [(*r, span) for r in rest]

    def reading(self, children: list[Token]) -> tuple[str, Any]:
        return "reading", m.Name(str(children[0]), self.span(children[0]))

    def calendar(self, children: list[Any]) -> m.AnyClause:
        return self._clause(
            m.CalendarClause, children, many=("weekdays", "annual_closures", "hours")
        )

    def weekdays(self, children: list[Token]) -> tuple[str, Any]:
        return "weekdays", tuple(m.Name(str(t), self.span(t)) for t in children)

    def holidays(self, children: list[Token]) -> tuple[str, Any]:
        return "holidays", m.Name(str(children[0]), self.span(children[0]))

    def closed_annual(self, children: list[Token]) -> tuple[str, Any]:
        first, last = (self.month_day(t) for t in children)
        return "annual_closures", ((first, last),)

    def closed_announced(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "announced_closures", True, self.span_of(children)

    def hours(self, children: list[m.TimeRange]) -> tuple[str, Any]:
        return "hours", tuple(children)

    def time_range(self, children: list[Token]) -> m.TimeRange:
        start, end = (self.minutes(t) for t in children)
        return m.TimeRange(start, end, self.span_of(children))

    def minutes(self, token: Token) -> int:
        hours, minutes = (int(p) for p in str(token).split(":"))
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            self.error(
                "bad-time",
                f"'{token}' is not a time of day",
                self.span(token),
                "write HH:MM from 00:00 to 24:00 (24:00 is the end of the day)",
            )
        return hours * 60 + minutes

    def month_day(self, token: Token) -> m.MonthDay:
        month, day = (int(p) for p in str(token).split("/"))
        if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
            self.error(
                "bad-date",
                f"'{token}' is not a day of the year",
                self.span(token),
                "write MM/DD, e.g. 12/30",
            )
        return m.MonthDay(month, day, self.span(token))

    def maintenance(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.MaintenanceClause, children, many=("notices",))

    def notice(self, children: list[Any]) -> tuple[str, Any]:
        channel, *rest = children
        lead = next((r for r in rest if isinstance(r, m.Quantity)), None)
        word = next((r for r in rest if isinstance(r, m.BoundaryWord)), None)
        to_day = "work_day" in rest
        name = m.Name(str(channel), self.span(channel))
        return "notices", m.NoticeRule(name, lead, word, self.span_of(children), to_day)

    def work_day(self, children: list[Any]) -> str:
        return "work_day"

    def lead(self, children: list[m.Quantity]) -> m.Quantity:
        return children[0]

    def emergency(self, children: list[Token]) -> tuple[str, Any]:
        return "emergency", m.Name(str(children[0]), self.span(children[0]))

    def every(self, children: list[Any]) -> tuple[str, Any]:
        ordinal, weekday, window = children
        text = str(ordinal)
        number = -1 if text == "last" else int(text[:-2])
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(
            number % 10 if number % 100 not in (11, 12, 13) else 0, "th"
        )
        if number != -1 and not text.endswith(suffix):
            self.error(
                "bad-ordinal",
                f"'{text}' is not an ordinal",
                self.span(ordinal),
                f"write {number}{suffix}",
            )
        elif not (number == -1 or 1 <= number <= 5):
            self.error(
                "bad-ordinal",
                f"there is no {text} weekday in a month",
                self.span(ordinal),
                "use 1st to 5th, or last",
            )
        day = m.Name(str(weekday), self.span(weekday))
        return "recurrence", m.Recurrence(number, day, window, self.span_of(children))

    def moved(self, children: list[Token]) -> list[tuple[Any, ...]]:
        ref = m.Ref(str(children[0]), self.span(children[0])) if children else None
        return [("moves", True, self.span_of(children)), ("moved_on", ref, self.span_of(children))]

    def exclusion(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.RuleClause, children, effect="exclude")

    def inclusion(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.RuleClause, children, effect="count")

    def related(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "related", True, self.span_of(children)

    def overrides(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "overrides", children[0], self.span_of(children)

    def exception(self, children: list[Any]) -> m.AnyClause:
        name, *rest = children
        targets = []
        while rest and isinstance(rest[0], Token) and rest[0].type == "NAME":
            targets.append(m.Ref(str(rest[0]), self.span(rest[0])))
            rest = rest[1:]
        return self._clause(m.ExceptionClause, [name, *rest], targets=tuple(targets))

    def remedy(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.RemedyClause, children, many=("tiers", "caps"))

    def free(self, children: list[Any]) -> list[tuple[Any, ...]]:
        quantity, *per = children
        span = self.span_of(children)
        return [("free", quantity, span), ("free_per_breach", bool(per) or None, span)]

    def per_breach(self, children: list[Token]) -> bool:
        if str(children[0]) not in ("month", "period"):
            self.error(
                "bad-free",
                f"free months are given per breached month, not per '{children[0]}'",
                self.span(children[0]),
                "write `free 1 month per breached month`",
            )
        return True

    def refund(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "refund", children[0], self.span_of(children)

    def tier(self, children: list[Any]) -> tuple[str, Any]:
        # `!tier` keeps its keywords, so the span starts at "tier"; drop them here.
        *bounds, credit = (c for c in children if not isinstance(c, Token))
        return "tiers", m.Tier(tuple(bounds), credit, self.span_of(children))

    def cap(self, children: list[Any]) -> tuple[str, Any]:
        amount, *per = children
        name = m.Name(str(per[0]), self.span(per[0])) if per else None
        return "caps", m.Cap(amount, name, self.span_of(children))

    def minimum(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        return "minimum", children[0], self.span_of(children)

    def claim(self, children: list[Any]) -> list[tuple[Any, ...]]:
        quantity = next((c for c in children if isinstance(c, m.Quantity)), None)
        word = next((c for c in children if isinstance(c, m.BoundaryWord)), None)
        sign = next((str(c) for c in children if isinstance(c, Token) and c.type == "ADDOP"), "+")
        incident = any(isinstance(c, Token) and c.type == "INCIDENT" for c in children)
        if sign == "-":
            self.error(
                "bad-claim",
                "a claim deadline cannot come before the end of the period",
                self.span_of(children),
                "write `claim by period end + 1 month`",
            )
        span = self.span_of(children)
        return [
            ("claim_set", True, span),
            ("claim_after", quantity, span),
            ("claim_word", word, span),
            ("claim_from_incident", incident, span),
        ]

    def rounding(self, children: list[Any]) -> tuple[str, Any, m.Span]:
        mode, step = children
        return "rounding", (m.Name(str(mode), self.span(mode)), step), self.span_of(children)

    def obligation(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.ObligationClause, children)

    def clock(self, children: list[Token]) -> list[tuple[Any, ...]]:
        start, stop = (m.Name(str(t), self.span(t)) for t in children)
        span = self.span_of(children)
        return [("start_event", start, span), ("stop_event", stop, span)]

    def deadline(self, children: list[Any]) -> list[tuple[Any, ...]]:
        quantity, *rest = children
        word = next((r for r in rest if isinstance(r, m.BoundaryWord)), None)
        cal = next((m.Ref(str(r), self.span(r)) for r in rest if isinstance(r, Token)), None)
        span = self.span_of(children)
        return [
            ("deadline", quantity, span),
            ("deadline_word", word, span),
            ("calendar", cal, span),
        ]

    def close_of_day(self, children: list[Any]) -> list[tuple[Any, ...]]:
        ordinal, *rest = children
        number = 0 if str(ordinal) == "last" else int(str(ordinal)[:-2])
        span = self.span(ordinal)
        if number < 1:
            self.error(
                "bad-ordinal",
                f"'{ordinal}' is not a count of business days",
                span,
                "write e.g. 2nd",
            )
        days = m.Quantity(Fraction(max(number, 1)), "business day", "business days", span)
        items = self.deadline([days, *rest])
        return [*items, ("to_close", True, span)]

    def minimum_lead(self, children: list[Any]) -> list[tuple[Any, ...]]:
        items = self.deadline(children)
        return [*items, ("minimum", True, items[0][2])]

    def performance(self, children: list[Any]) -> m.AnyClause:
        return self._clause(m.PerformanceClause, children)

    def measure(self, children: list[Any]) -> list[tuple[Any, ...]]:
        name, comparison = children
        span = self.span(name)
        return [("measure", m.Name(str(name), span), span), ("bound", comparison, span)]

    # -- examples

    def example(self, children: list[Any]) -> m.Example:
        name, *rest = children
        title = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            title = self.string(rest.pop(0))
        parts: dict[str, list[Any]] = {}
        for key, value in rest:
            parts.setdefault(key, []).append(value)
        as_of = parts.get("as_of", [None])[-1]
        return m.Example(
            str(name),
            title,
            tuple(parts.get("outage", ())),
            tuple(parts.get("notice", ())),
            tuple(parts.get("billing", ())),
            tuple(parts.get("closure", ())),
            as_of,
            tuple(parts.get("expect", ())),
            self.span(name),
        )

    def sample_outage(self, children: list[Any]) -> tuple[str, Any]:
        rid, service, start, *rest = children
        end = self.string(rest[0]) if rest and isinstance(rest[0], Token) else None
        fields = rest[-1] if rest and isinstance(rest[-1], tuple) else ()
        head = (("id", str(rid)), ("service", self.string(service)), ("start", self.string(start)))
        return "outage", (*head, ("end", end), *fields)

    def sample_notice(self, children: list[Any]) -> tuple[str, Any]:
        rid, service, start, end, *rest = children
        fields = rest[0] if rest else ()
        head = (("id", str(rid)), ("service", self.string(service)), ("start", self.string(start)))
        return "notice", (*head, ("end", self.string(end)), *fields)

    def sample_billing(self, children: list[Any]) -> tuple[str, Any]:
        service, fields = children
        return "billing", (("service", self.string(service)), *fields)

    def sample_closure(self, children: list[Token]) -> tuple[str, Any]:
        return "closure", self.string(children[0])

    def sample_as_of(self, children: list[Token]) -> tuple[str, Any]:
        return "as_of", self.string(children[0])

    def field_block(self, children: list[Any]) -> tuple[tuple[str, Any], ...]:
        return tuple(children)

    def sample_field(self, children: list[Any]) -> tuple[str, Any]:
        return str(children[0]), _plain(children[1])

    def sample_text(self, children: list[Token]) -> str:
        return self.string(children[0])

    def sample_name(self, children: list[Token]) -> str:
        return str(children[0])

    def sample_number(self, children: list[Token]) -> str:
        return str(children[0])

    def sample_map(self, children: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(children)

    def sample_entry(self, children: list[Any]) -> tuple[str, Any]:
        return self.string(children[0]), _plain(children[1])

    def sample_list(self, children: list[Any]) -> list[Any]:
        return [_plain(c) for c in children if c is not None]

    def _expect(
        self,
        kind: str,
        target: str,
        value: Token,
        span: m.Span,
        clause: Token | None = None,
        amount: m.Quantity | None = None,
    ) -> tuple[str, Any]:
        return "expect", m.Expectation(
            kind,
            target,
            self.string(value) if value.type == "STRING" else str(value),
            str(clause) if clause is not None else None,
            amount,
            span,
            self.span(value),
            self.span(clause) if clause is not None else None,
        )

    def expect_verdict(self, children: list[Token]) -> tuple[str, Any]:
        rid, verdict, *by = children
        return self._expect("verdict", str(rid), verdict, self.span(rid), by[0] if by else None)

    def expect_seconds(self, children: list[Any]) -> tuple[str, Any]:
        rid, status, amount = children
        return self._expect("seconds", str(rid), status, self.span(rid), amount=amount)

    def expect_obligation(self, children: list[Token]) -> tuple[str, Any]:
        rid, clause, verdict = children
        return self._expect("obligation", str(rid), verdict, self.span(rid), clause)

    def _period(self, children: list[Any]) -> tuple[str, m.Span]:
        service, period = children[0], children[1]
        return f"{self.string(service)}|{self.string(period)}", self.span(service)

    def expect_met(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        return self._expect("met", target, children[2], span)

    def expect_availability(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        return self._expect("availability", target, children[2], span)

    def expect_claim(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        return self._expect("claim", target, children[2], span)

    def expect_remedy(self, children: list[Any]) -> tuple[str, Any]:
        target, span = self._period(children)
        amount = children[3] if len(children) > 3 else None
        return self._expect("remedy", target, children[2], span, amount=amount)


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Item keys as the author wrote them, for "given twice" messages.
_ITEM_WORDS = {
    "citation": "cite",
    "condition": "when",
    "denominator_minus": "denominator",
    "recurrence": "every",
    "announced_closures": "closed announced",
    "start_event": "from ... to",
    "deadline": "within / at least",
    "claim_set": "claim",
    "moves": "moved to next business day",
    "probe_interval": "every (after probes)",
    "measure": "measure",
    "free": "free",
    "reading": "on (threshold reading)",
    "records": "records where",
}

# Fields set by the same line as another field: a repeated line is reported once, by the
# first field of its line (in _ITEM_WORDS).
_SECONDARY_ITEMS = frozenset(
    {
        "stop_event",
        "deadline_word",
        "calendar",
        "minimum",
        "to_close",
        "claim_after",
        "claim_word",
        "claim_from_incident",
        "moved_on",
        "bound",
        "free_per_breach",
    }
)


def _plain(value: Any) -> Any:
    """A sample value as input data: `true`/`false` become Python booleans."""
    return value.value if isinstance(value, m.Bool) else value
