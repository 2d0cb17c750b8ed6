"""Static checks over a parsed contract -> list[Diagnostic].

Each check is a small function ``(contract, scope) -> Iterable[Diagnostic]``; all of them
run, in the order of :data:`CHECKS`, and every problem is reported at once.
"""

from __future__ import annotations

import functools
import itertools
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.countries import COUNTRIES
from rulebook.grammar.diagnostics import Diagnostic, did_you_mean
from rulebook.satisfiable import Domain, conjoin, magnitude, satisfiable
from rulebook.units import show_number

# ------------------------------------------------------------------ fixed meanings

#: The Japanese boundary words and the comparison each one means (DESIGN.md).
BOUNDARY_WORDS: dict[str, str] = {
    "以上": ">=",
    "以下": "<=",
    "以内": "<=",
    "未満": "<",
    "超": ">",
    "超える": ">",
    "を超える": ">",
}
#: Words for a notice's lead ("1週間前までに", "6ヶ月前に"): the boundary instant counts.
NOTICE_WORDS = frozenset({"まで", "前まで", "前", "以上"})
#: Words after `within` ("3 営業時間以内", "翌月末まで"): the deadline instant is in time.
WITHIN_WORDS = frozenset({"以内", "まで", "以下"})
#: Words after `at least` ("1か月前までに"): the minimum lead, boundary included.
AT_LEAST_WORDS = frozenset({"以上", "前", "前まで", "まで"})
#: Words after a claim deadline ("翌月末までに").
CLAIM_WORDS = frozenset({"まで", "以内"})

REQUIRED_META = ("title", "provider", "source", "language", "timezone", "kind")
KINDS = ("guarantee", "objective")
LANGUAGES = ("ja", "en")
WEEKDAYS = {
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        d: i
        for i, d in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
READINGS = ("stoppage", "record")
EMERGENCY = ("excluded", "counted")
ROUNDING = ("down", "up", "half_up", "half_even")
CAP_PERIODS = ("month", "year", "claim")
FACT_TYPES = ("code", "bool", "country", "duration", "number", "text", "records", "instant")

#: What a remedy's conditions and formulas may name, with their dimension.
MEASURES: dict[str, str] = {
    "availability": "percent",
    "target": "percent",
    "downtime": "time",
    "denominator": "time",
    "period": "time",
    "monthly_fee": "money",
    "breached_months": "number",
}


# ------------------------------------------------------------------ scope


@attrs.frozen
class Scope:
    """What names mean in one contract: its vocabulary and clauses by id."""

    contract: m.Contract
    facts: dict[str, m.FactDecl]
    events: dict[str, m.EventDecl]
    clauses: dict[str, m.AnyClause]

    @classmethod
    def of(cls, contract: m.Contract) -> Scope:
        vocab = contract.vocabulary
        facts = {f.name: f for f in vocab.facts} if vocab else {}
        events = {e.name: e for e in vocab.events} if vocab else {}
        clauses: dict[str, m.AnyClause] = {}
        for clause in contract.clauses:
            clauses.setdefault(clause.id, clause)
        return cls(contract, facts, events, clauses)

    def calendars(self) -> list[m.CalendarClause]:
        return [c for c in self.clauses.values() if isinstance(c, m.CalendarClause)]

    def domain(self, fact: str) -> Domain | None:
        decl = self.facts.get(fact)
        if decl is None:
            return None
        if decl.type == "bool":
            return Domain("bool", frozenset({"true", "false"}))
        if decl.type == "code":
            return Domain("set" if decl.is_set else "code", frozenset(c.name for c in decl.codes))
        if decl.type == "country":
            return Domain("code", COUNTRIES)
        return Domain(decl.type)


Check = Callable[[m.Contract, Scope], Iterable[Diagnostic]]


def error(code: str, message: str, span: m.Span, hint: str | None = None) -> Diagnostic:
    """An error diagnostic."""
    return Diagnostic("error", code, message, span, hint)


def warning(code: str, message: str, span: m.Span, hint: str | None = None) -> Diagnostic:
    """A warning diagnostic: reported, but the contract still loads."""
    return Diagnostic("warning", code, message, span, hint)


def _unknown(what: str, name: str, span: m.Span, known: Iterable[str], code: str) -> Diagnostic:
    names = sorted(known)
    hint = did_you_mean(name, names)
    if hint is None and names:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        hint = f"known {what}s: {shown}"
    return error(code, f"unknown {what} '{name}'", span, hint)


# ------------------------------------------------------------------ metadata and structure


def check_metadata(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Required metadata is present once, with accepted values."""
    seen: dict[str, m.Meta] = {}
    for meta in contract.meta:
        if meta.key in seen:
            yield error(
                "duplicate-meta",
                f"'{meta.key}' is given twice",
                meta.span,
                f"the first is on line {seen[meta.key].span.line}",
            )
        seen[meta.key] = meta
    for key in REQUIRED_META:
        if key not in seen:
            yield error(
                "missing-meta",
                f"contract {contract.id} has no '{key}'",
                contract.span,
                _META_HINTS[key],
            )
    checks = (("kind", KINDS), ("language", LANGUAGES))
    for key, accepted in checks:
        if key in seen and seen[key].value not in accepted:
            meta = seen[key]
            yield error(
                f"bad-{key}",
                f"{key} '{meta.value}' is not one of {', '.join(accepted)}",
                meta.span,
                did_you_mean(meta.value, accepted),
            )
    if "timezone" in seen:
        tz = seen["timezone"]
        try:
            zoneinfo.ZoneInfo(tz.value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            yield error(
                "bad-timezone",
                f"'{tz.value}' is not an IANA timezone",
                tz.span,
                did_you_mean(tz.value, sorted(zoneinfo.available_timezones()))
                or 'write e.g. timezone "Asia/Tokyo"',
            )
    if contract.vocabulary is None:
        yield error(
            "no-vocabulary",
            f"contract {contract.id} uses no vocabulary, so no fact can be named",
            contract.span,
            'add `import "vocabulary.sla"` at the top of the file',
        )


_META_HINTS = {
    "title": 'add `title "..."` with the document\'s title',
    "provider": 'add `provider "..."` naming the company that gives the promise',
    "source": 'add `source "..."` naming the document the clauses quote',
    "language": "add `language ja` (the language of the quoted text)",
    "timezone": 'add `timezone "Asia/Tokyo"`; timestamps without an offset are read in it',
    "kind": "add `kind guarantee` (a remedy is owed) or `kind objective` (a target only)",
}


def check_citations(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Every clause cites the article and sentence it encodes."""
    for clause in contract.clauses:
        if clause.citation is None:
            yield warning(
                "no-citation",
                f"{clause.kind} {clause.id} cites no article of the contract",
                clause.span,
                'add `cite "第N条" "the original sentence"`',
            )
        elif not all(q.strip() for q in clause.citation.quotes) or not clause.citation.article:
            yield warning(
                "empty-citation",
                f"{clause.kind} {clause.id} has an empty citation",
                clause.citation.span,
                "quote the article and the sentence it encodes",
            )


def check_duplicate_ids(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Clause ids are unique within a contract."""
    first: dict[str, m.AnyClause] = {}
    for clause in contract.clauses:
        if clause.id in first:
            yield error(
                "duplicate-id",
                f"clause id '{clause.id}' is used twice",
                clause.span,
                f"the first {first[clause.id].kind} {clause.id} is on line "
                f"{first[clause.id].span.line}; rename one",
            )
        else:
            first[clause.id] = clause


def _ref_to(ref: m.Ref, scope: Scope, kinds: tuple[type, ...], what: str) -> Iterator[Diagnostic]:
    target = scope.clauses.get(ref.name)
    candidates = [c.id for c in scope.clauses.values() if isinstance(c, kinds)]
    if target is None:
        yield _unknown(what, ref.name, ref.span, candidates, "unknown-clause")
    elif not isinstance(target, kinds):
        yield error(
            "wrong-clause-kind",
            f"'{ref.name}' is a {target.kind} clause, not a {what}",
            ref.span,
            did_you_mean(ref.name, candidates),
        )


def check_references(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Every clause reference names an existing clause of the right kind."""
    rules = (m.RuleClause,)
    for clause in contract.clauses:
        if isinstance(clause, m.ExceptionClause):
            yield from _ref_to(
                clause.target,
                scope,
                (m.RuleClause, m.ExceptionClause, m.MaintenanceClause, m.ObligationClause),
                "clause an exception can apply to",
            )
        if isinstance(clause, m.RuleClause):
            for ref in clause.overrides:
                yield from _ref_to(ref, scope, rules, "exclusion or inclusion")
        if isinstance(clause, m.AvailabilityClause):
            for ref in clause.denominator_minus:
                yield from _ref_to(ref, scope, (m.MaintenanceClause,), "maintenance clause")
        for ref in _calendar_refs(clause):
            yield from _ref_to(ref, scope, (m.CalendarClause,), "calendar")


def _calendar_refs(clause: m.AnyClause) -> list[m.Ref]:
    refs = []
    if isinstance(clause, m.MaintenanceClause) and clause.moved_on:
        refs.append(clause.moved_on)
    if isinstance(clause, m.ObligationClause) and clause.calendar:
        refs.append(clause.calendar)
    return refs


# ------------------------------------------------------------------ conditions


@attrs.frozen
class _Context:
    """Which names a condition may use: record facts, events, remedy measures."""

    record_facts: bool
    events: bool
    measures: bool


RECORD = _Context(True, False, False)
OBLIGATION = _Context(True, True, False)
REMEDY = _Context(False, False, True)


def _conditions(clause: m.AnyClause) -> Iterator[tuple[m.Condition, _Context]]:
    if isinstance(clause, m.RemedyClause):
        ctx = REMEDY
    elif isinstance(clause, m.ObligationClause):
        ctx = OBLIGATION
    else:
        ctx = RECORD
    for name in ("condition", "unless"):
        cond = getattr(clause, name, None)
        if cond is not None:
            yield cond, ctx


def _atoms(cond: m.Condition) -> Iterator[m.Condition]:
    if isinstance(cond, (m.All, m.Any)):
        for item in cond.items:
            yield from _atoms(item)
    elif isinstance(cond, m.Not):
        yield from _atoms(cond.item)
    else:
        yield cond


def check_conditions(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Facts, codes and values in conditions exist and have compatible types and units."""
    if contract.vocabulary is None:
        return
    for clause in contract.clauses:
        for cond, ctx in _conditions(clause):
            for atom in _atoms(cond):
                yield from _check_atom(atom, ctx, scope)


def _names(ctx: _Context, scope: Scope) -> list[str]:
    names: list[str] = []
    if ctx.record_facts:
        names += list(scope.facts)
    if ctx.events:
        names += list(scope.events)
    if ctx.measures:
        names += list(MEASURES)
    return names


def _check_atom(atom: m.Condition, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    fact = getattr(atom, "fact", "")
    span = _name_span(atom.span, fact)
    if isinstance(atom, m.During):
        if not ctx.events:
            yield error(
                "type-mismatch",
                f"`{fact} during ... hours` tests an event, and events are only known to "
                "obligations",
                span,
                "move the test to an obligation's `when`",
            )
        elif fact not in scope.events:
            yield _unknown("event", fact, span, scope.events, "unknown-event")
        yield from _calendar_with_hours(atom.calendar, span, scope)
        return
    if isinstance(atom, m.Known):
        if fact not in _names(ctx, scope):
            yield _unknown("fact", fact, span, _names(ctx, scope), "unknown-fact")
        return
    if ctx.measures:
        yield from _check_measure_atom(atom, scope)
        return
    decl = scope.facts.get(fact) if ctx.record_facts else None
    if decl is None:
        if fact in scope.events and ctx.events:
            yield error(
                "type-mismatch",
                f"'{fact}' is an event (an instant); only `{fact} is known` or "
                f"`{fact} during CALENDAR hours` can test it",
                span,
            )
        else:
            yield _unknown("fact", fact, span, _names(ctx, scope), "unknown-fact")
        return
    yield from _check_fact_atom(atom, decl)


def _name_span(span: m.Span, name: str) -> m.Span:
    """Every atom starts with its fact's name: point at just that name."""
    return attrs.evolve(span, end_line=span.line, end_column=span.column + len(name))


def _check_fact_atom(atom: m.Condition, decl: m.FactDecl) -> Iterator[Diagnostic]:
    span = atom.span
    kind = "set" if decl.is_set else decl.type
    if isinstance(atom, m.Flag):
        if decl.type != "bool":
            yield error(
                "type-mismatch",
                f"'{decl.name}' is a {_type_words(decl)}, not a yes/no fact",
                span,
                _compare_hint(decl),
            )
        return
    if isinstance(atom, m.Includes) and not decl.is_set:
        yield error(
            "type-mismatch",
            f"'includes' needs a set fact; '{decl.name}' holds one {_type_words(decl)}",
            span,
            f"write `{decl.name} in {{...}}`",
        )
        return
    if isinstance(atom, m.Compare):
        if kind in ("set", "records") or (
            kind in ("code", "bool", "country", "text") and atom.op not in ("=", "!=")
        ):
            yield error(
                "type-mismatch",
                f"'{atom.op}' cannot compare '{decl.name}', a {_type_words(decl)}",
                span,
                _compare_hint(decl),
            )
            return
        yield from _check_value(atom.value, decl)
        yield from _check_word(atom.op, atom.word)
        return
    if isinstance(atom, (m.Member, m.Includes)):
        if kind not in ("code", "set", "country", "number"):
            yield error(
                "type-mismatch",
                f"'{decl.name}' is a {_type_words(decl)}; a set of values cannot contain it",
                span,
                _compare_hint(decl),
            )
            return
        for value in atom.values:
            yield from _check_value(value, decl)


def _type_words(decl: m.FactDecl) -> str:
    if decl.is_set:
        return f"set of {decl.type}s"
    return {"bool": "yes/no fact", "records": "list of record ids"}.get(decl.type, decl.type)


def _compare_hint(decl: m.FactDecl) -> str:
    examples = {
        "bool": f"write `{decl.name}` or `not {decl.name}`",
        "code": f"write `{decl.name} = CODE` or `{decl.name} in {{A, B}}`",
        "country": f"write `{decl.name} = JP` or `{decl.name} != JP`",
        "duration": f"write `{decl.name} <= 30 min (以内)`",
        "number": f"write `{decl.name} = 1` or `{decl.name} <= 2`",
        "records": "related records are followed with `including related` on the clause",
    }
    if decl.is_set:
        return (
            f"write `{decl.name} includes {{A}}` (any of) or `{decl.name} in {{A, B}}` (only these)"
        )
    return examples.get(decl.type, f"compare '{decl.name}' with `=`")


def _check_value(value: m.Value, decl: m.FactDecl) -> Iterator[Diagnostic]:
    expected = decl.type
    if expected == "code":
        if not isinstance(value, m.Code):
            yield _mismatch(value, decl, "a code")
        elif decl.code(value.name) is None:
            yield _unknown(
                f"{decl.name} code",
                value.name,
                value.span,
                [c.name for c in decl.codes],
                "unknown-code",
            )
    elif expected == "country":
        if not isinstance(value, m.Code):
            yield _mismatch(value, decl, "a country code such as JP")
        elif value.name not in COUNTRIES:
            yield error(
                "unknown-country",
                f"'{value.name}' is not an ISO 3166-1 alpha-2 country code",
                value.span,
                (len(value.name) == 2 and did_you_mean(value.name.upper(), sorted(COUNTRIES)))
                or "write the two-letter code, e.g. JP, US, SG",
            )
    elif expected == "bool":
        if not isinstance(value, m.Bool):
            yield _mismatch(value, decl, "true or false")
    elif expected in ("duration", "number"):
        if not isinstance(value, m.Quantity):
            yield _mismatch(
                value, decl, "a duration such as 30 min" if expected == "duration" else "a number"
            )
        else:
            yield from _check_quantity_dimension(value, _FACT_DIMENSION[expected], decl.name)
    elif expected == "text" and not isinstance(value, m.Text):
        yield _mismatch(value, decl, 'a quoted string "..."')


_FACT_DIMENSION = {"duration": ("time",), "number": ("number",)}


def _mismatch(value: m.Value, decl: m.FactDecl, expected: str) -> Diagnostic:
    return error(
        "type-mismatch",
        f"'{decl.name}' is a {_type_words(decl)}, but {_value_words(value)} is given",
        value.span,
        f"expected {expected}",
    )


def _value_words(value: m.Value) -> str:
    if isinstance(value, m.Quantity):
        return f"the quantity {units.show(value)}"
    if isinstance(value, m.Code):
        return f"the code '{value.name}'"
    if isinstance(value, m.Bool):
        return "a yes/no value"
    return "a string"


def _check_quantity_dimension(
    q: m.Quantity, accepted: tuple[str, ...], subject: str
) -> Iterator[Diagnostic]:
    unit = units.canonical(q.written)
    if unit is None:
        return  # reported once by check_units
    if unit.dimension not in accepted:
        yield error(
            "unit-mismatch",
            f"'{subject}' is measured in {_DIMENSION_WORDS[accepted[0]]}, "
            f"but {units.show(q)} is {_DIMENSION_WORDS[unit.dimension]}",
            q.span,
            _DIMENSION_HINTS[accepted[0]],
        )


_DIMENSION_WORDS = {
    "time": "time",
    "calendar": "calendar months or years",
    "business_time": "business time",
    "percent": "a percentage",
    "money": "money",
    "number": "a plain number",
}
_DIMENSION_HINTS = {
    "time": "use s, min, h, day or week (months and years have no fixed length)",
    "calendar": "use month or year",
    "business_time": "use business hours or business days",
    "percent": "write a percentage such as 99.9%",
    "money": "write an amount such as 1000 JPY, or monthly_fee",
    "number": "write a number without a unit",
}


def _check_deadline_word(
    word: m.BoundaryWord, allowed: frozenset[str], where: str
) -> Iterator[Diagnostic]:
    """A deadline or lead takes only the words that mean "by this instant, inclusive"."""
    if word.word not in allowed:
        yield error(
            "unknown-boundary-word",
            f"'{word.word}' is not a word for {where}",
            word.span,
            "use " + ", ".join(sorted(allowed)),
        )


def _check_word(op: str | None, word: m.BoundaryWord | None) -> Iterator[Diagnostic]:
    if word is None:
        return
    meaning = BOUNDARY_WORDS.get(word.word)
    if meaning is None:
        yield error(
            "unknown-boundary-word",
            f"'{word.word}' is not a boundary word rulebook knows",
            word.span,
            did_you_mean(word.word, BOUNDARY_WORDS)
            or "use 以上 (>=), 以下 (<=), 以内 (<=), 未満 (<) or 超 (>)",
        )
    elif op is not None and op != meaning:
        yield error(
            "boundary-word-mismatch",
            f"'{word.word}' means {meaning}, but the comparison is written {op}",
            word.span,
            f"write `{meaning}` to match the text, or quote the word the text uses",
        )


def _check_measure_atom(atom: m.Condition, scope: Scope) -> Iterator[Diagnostic]:
    fact = getattr(atom, "fact", "")
    if fact not in MEASURES:
        yield _unknown("measure", fact, atom.span, MEASURES, "unknown-fact")
        return
    if not isinstance(atom, m.Compare):
        yield error(
            "type-mismatch",
            f"'{fact}' is a measure; compare it, e.g. `availability < target`",
            atom.span,
        )
        return
    dimension = MEASURES[fact]
    value = atom.value
    if isinstance(value, m.Code):
        if value.name not in MEASURES:
            yield _unknown("measure", value.name, value.span, MEASURES, "unknown-fact")
        elif MEASURES[value.name] != dimension:
            yield error(
                "unit-mismatch",
                f"cannot compare '{fact}' ({_DIMENSION_WORDS[dimension]}) with "
                f"'{value.name}' ({_DIMENSION_WORDS[MEASURES[value.name]]})",
                atom.span,
            )
        elif value.name == "target" and _target(scope) is None:
            yield error(
                "no-target",
                "the remedy compares with 'target', but the contract sets no availability target",
                value.span,
                "add `target 99.9% (以上)` to the availability clause",
            )
    elif isinstance(value, m.Quantity):
        yield from _check_quantity_dimension(value, (dimension,), fact)
    else:
        yield error(
            "type-mismatch", f"'{fact}' cannot be compared with {_value_words(value)}", value.span
        )
    yield from _check_word(atom.op, atom.word)


def _target(scope: Scope) -> m.Comparison | None:
    return next(
        (
            c.target
            for c in scope.clauses.values()
            if isinstance(c, m.AvailabilityClause) and c.target
        ),
        None,
    )


def _calendar_with_hours(name: str, span: m.Span, scope: Scope) -> Iterator[Diagnostic]:
    calendars = {c.id: c for c in scope.calendars()}
    if name not in calendars:
        yield _unknown("calendar", name, span, calendars, "unknown-clause")
    elif not calendars[name].hours:
        yield error(
            "no-hours",
            f"calendar {name} declares no business hours",
            span,
            "add `hours 10:00-18:00` to the calendar",
        )


# ------------------------------------------------------------------ units


def _quantities(node: object) -> Iterator[m.Quantity]:
    """Every quantity anywhere inside a clause."""
    if isinstance(node, m.Quantity):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _quantities(item)
    else:
        for name in _node_fields(type(node)):  # type: ignore[arg-type]
            yield from _quantities(getattr(node, name))


@functools.cache
def _node_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of a model class that may hold quantities (not spans, not text)."""
    if not attrs.has(cls) or cls is m.Span:
        return ()
    return tuple(f.name for f in attrs.fields(cls) if f.name not in ("span", "id", "title"))


def check_units(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Every unit is one the language knows."""
    for clause in contract.clauses:
        for q in _quantities(clause):
            if q.written and units.canonical(q.written) is None:
                yield error(
                    "unknown-unit",
                    f"unknown unit '{q.written}'",
                    q.span,
                    did_you_mean(q.written, units.SPELLINGS)
                    or "units: s, min, h, day, week, month, year, business hours, "
                    "business days, %, JPY",
                )


# ------------------------------------------------------------------ clause kinds


def check_services(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """A services clause covers something, and never covers what it excludes."""
    for clause in contract.clauses:
        if not isinstance(clause, m.ServicesClause):
            continue
        if not clause.covers:
            yield error(
                "no-services",
                f"services {clause.id} covers no service",
                clause.span,
                'add `covers "Service name"`',
            )
        covered = {t.value for t in clause.covers}
        for text in clause.excludes:
            if text.value in covered:
                yield error(
                    "contradiction",
                    f"service '{text.value}' is both covered and excluded",
                    text.span,
                    'name the excluded variant distinctly, e.g. "CYBERCHAT (bundled)"',
                )


def check_availability(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Period, target and denominator of the availability clause make sense."""
    clauses = [c for c in contract.clauses if isinstance(c, m.AvailabilityClause)]
    for extra in clauses[1:]:
        yield error(
            "duplicate-availability",
            "a contract has one availability clause",
            extra.span,
            f"the first is on line {clauses[0].span.line}",
        )
    for clause in clauses:
        if isinstance(clause.period, m.Quantity):
            yield from _check_quantity_dimension(clause.period, ("time",), "period")
            length = magnitude(clause.period)
            if length is not None and not 28 * 86400 <= length <= 31 * 86400:
                yield error(
                    "bad-period",
                    f"a fixed period of {units.show(clause.period)} is not a month",
                    clause.period.span,
                    "a fixed length stands for a month measured as if it were that long: "
                    "write 28 to 31 days (usually `period 30 days`), or `period quarter`",
                )
        if clause.target is not None:
            target = clause.target
            yield from _check_quantity_dimension(target.quantity, ("percent",), "target")
            if not (0 < target.quantity.value <= 100):
                yield error(
                    "bad-target",
                    f"a target of {units.show(target.quantity)} is not a percentage of the period",
                    target.quantity.span,
                    "write a value above 0% and at most 100%",
                )
            if target.op in ("<", "<=", "=", "!="):
                yield error(
                    "bad-target",
                    f"an availability target is a floor; '{target.op}' would promise downtime",
                    target.span,
                    "write `target >= 99.9% (以上)`",
                )
            yield from _check_word(target.op or ">=", target.word)
        elif contract.kind == "guarantee":
            yield warning(
                "availability-without-target",
                f"availability {clause.id} sets no target",
                clause.span,
                "add `target 99.9% (以上)`",
            )


def check_downtime(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Probes are protocols of the vocabulary; the threshold is a duration; its reading named."""
    protocols = scope.facts.get("protocol")
    for clause in contract.clauses:
        if not isinstance(clause, m.DowntimeClause):
            continue
        for probe in clause.probes:
            if protocols is not None and protocols.code(probe.name) is None:
                yield _unknown(
                    "probe",
                    probe.name,
                    probe.span,
                    [c.name for c in protocols.codes],
                    "unknown-code",
                )
        if clause.probe_interval is not None:
            yield from _check_quantity_dimension(
                clause.probe_interval, ("time",), "a probe interval"
            )
        if clause.threshold is not None:
            t = clause.threshold
            yield from _check_quantity_dimension(t.quantity, ("time",), "threshold")
            yield from _check_word(t.op or ">=", t.word)
            if t.op in ("<", "<=", "=", "!="):
                yield error(
                    "bad-threshold",
                    f"a downtime threshold is a minimum length; '{t.op}' is not one",
                    t.span,
                    "write `threshold >= 10 min (以上) consecutive`",
                )
        if clause.reading is not None and clause.reading.name not in READINGS:
            yield _unknown(
                "threshold reading",
                clause.reading.name,
                clause.reading.span,
                READINGS,
                "bad-reading",
            )


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
                yield _unknown("weekday", day.name, day.span, WEEKDAYS, "bad-weekday")
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
                yield _unknown(
                    "channel",
                    rule.channel.name,
                    rule.channel.span,
                    [c.name for c in channels.codes],
                    "unknown-code",
                )
            if rule.lead is not None:
                # Business-time leads would need counting business days backwards from the
                # work; no seed needs them, so they are refused rather than guessed.
                yield from _check_quantity_dimension(
                    rule.lead, ("time", "calendar"), "a notice lead"
                )
            if rule.word is not None:
                yield from _check_deadline_word(rule.word, NOTICE_WORDS, "a notice lead")
        if clause.emergency is not None and clause.emergency.name not in EMERGENCY:
            yield _unknown(
                "emergency rule",
                clause.emergency.name,
                clause.emergency.span,
                EMERGENCY,
                "bad-emergency",
            )
        if clause.recurrence is not None:
            day = clause.recurrence.weekday
            if day.name not in WEEKDAYS:
                yield _unknown("weekday", day.name, day.span, WEEKDAYS, "bad-weekday")
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
                yield _unknown("event", event.name, event.span, scope.events, "unknown-event")
        if clause.deadline is not None:
            unit = units.canonical(clause.deadline.written)
            yield from _check_quantity_dimension(
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
                    yield from _calendar_with_hours(calendars[0].id, clause.deadline.span, scope)
                elif clause.calendar is not None and scope.clauses.get(clause.calendar.name):
                    yield from _calendar_with_hours(
                        clause.calendar.name, clause.calendar.span, scope
                    )
        if clause.deadline_word is not None:
            allowed = AT_LEAST_WORDS if clause.minimum else WITHIN_WORDS
            yield from _check_deadline_word(
                clause.deadline_word,
                allowed,
                "an `at least` lead" if clause.minimum else "a `within` deadline",
            )


def check_performance(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """A performance clause bounds a measured fact of the vocabulary, in its unit."""
    for clause in contract.clauses:
        if not isinstance(clause, m.PerformanceClause):
            continue
        if clause.measure is None or clause.bound is None:
            yield error(
                "incomplete-performance",
                f"performance {clause.id} needs `measure FACT <= VALUE`",
                clause.span,
                "e.g. `measure response_time <= 3 s (以下)`",
            )
            continue
        decl = scope.facts.get(clause.measure.name)
        measurable = [f.name for f in scope.facts.values() if f.type in ("duration", "number")]
        if decl is None or decl.type not in ("duration", "number"):
            yield _unknown(
                "measurable fact",
                clause.measure.name,
                clause.measure.span,
                measurable,
                "unknown-fact",
            )
            continue
        bound = clause.bound
        if bound.op in ("=", "!="):
            yield error(
                "bad-operator",
                f"a performance target is a ceiling or a floor; '{bound.op}' is neither",
                bound.span,
                "write `<=` (以下) for a ceiling or `>=` (以上) for a floor",
            )
        if bound.op is None and bound.word is None:
            yield error(
                "no-operator",
                f"performance {clause.id} does not say whether {decl.name} is a ceiling or a floor",
                bound.span,
                "write `<=` (以下) for a ceiling or `>=` (以上) for a floor",
            )
        yield from _check_quantity_dimension(bound.quantity, _FACT_DIMENSION[decl.type], decl.name)
        yield from _check_word(bound.op, bound.word)


# ------------------------------------------------------------------ remedies


def check_remedies(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Remedies fit the contract's kind; formulas come out in money; rounding is known."""
    for clause in contract.clauses:
        if not isinstance(clause, m.RemedyClause):
            continue
        if contract.kind == "objective":
            yield error(
                "remedy-in-objective",
                f"remedy {clause.id} in an objective contract: an objective owes nothing",
                clause.span,
                "make the contract `kind guarantee`, or remove the remedy",
            )
        kinds = [
            k
            for k, v in (("free", clause.free), ("refund", clause.refund), ("tier", clause.tiers))
            if v
        ]
        if len(kinds) > 1:
            yield error(
                "mixed-remedy",
                f"remedy {clause.id} mixes {' and '.join(kinds)}; write one remedy clause for each",
                clause.span,
            )
        if clause.free is not None:
            yield from _check_quantity_dimension(clause.free, ("calendar",), "a free period")
        if clause.refund is not None:
            yield from _expect_money(clause.refund, "a refund")
        for cap in clause.caps:
            yield from _expect_money(cap.amount, "a cap")
            if cap.per is not None and cap.per.name not in CAP_PERIODS:
                yield _unknown("cap period", cap.per.name, cap.per.span, CAP_PERIODS, "bad-cap")
        if clause.minimum is not None:
            yield from _expect_money(clause.minimum, "a minimum payout")
        if clause.claim_word is not None:
            yield from _check_deadline_word(clause.claim_word, CLAIM_WORDS, "a claim deadline")
        if clause.claim_after is not None:
            yield from _check_quantity_dimension(
                clause.claim_after, ("calendar", "time", "business_time"), "a claim deadline"
            )
        if clause.rounding is not None:
            mode, step = clause.rounding
            if mode.name not in ROUNDING:
                yield _unknown("rounding mode", mode.name, mode.span, ROUNDING, "bad-rounding")
            yield from _check_quantity_dimension(step, ("money",), "a rounding step")
        for tier in clause.tiers:
            yield from _check_quantity_dimension(tier.credit, ("percent",), "a credit")
            for bound in tier.bounds:
                yield from _check_quantity_dimension(bound.quantity, ("percent",), "availability")
                yield from _check_word(bound.op, bound.word)
                if bound.op in (None, "=", "!="):
                    yield error(
                        "bad-tier",
                        "a tier bound needs <, <=, > or >=",
                        bound.span,
                        "write `tier < 99.99% and >= 99.0% credit 10%`",
                    )


def _expect_money(expr: m.Expr, what: str) -> Iterator[Diagnostic]:
    found: list[Diagnostic] = []
    dims = _dimension(expr, found)
    yield from found
    if dims is not None and dims != _MONEY:
        yield error(
            "unit-mismatch",
            f"{what} must come out as money, but this formula gives {_dims_words(dims)}",
            expr.span,
            "e.g. `monthly_fee * downtime / denominator`",
        )


# Dimensions of formulas as exponents of (money, time). A percentage is a ratio:
# `monthly_fee * 10%` is money; availability and target are ratios too.
Dims = tuple[int, int]
_MONEY: Dims = (1, 0)
_DIM_OF: dict[str, Dims] = {"money": (1, 0), "time": (0, 1), "percent": (0, 0), "number": (0, 0)}


def _dimension(expr: m.Expr, found: list[Diagnostic]) -> Dims | None:
    if isinstance(expr, m.Quantity):
        unit = units.canonical(expr.written)
        if unit is None:
            return None  # reported by check_units
        if unit.dimension not in _DIM_OF:
            found.append(
                error(
                    "unit-mismatch",
                    f"{units.show(expr)} has no fixed length and cannot be used in a formula",
                    expr.span,
                    "use s, min, h, day or week, or a measure such as downtime",
                )
            )
            return None
        return _DIM_OF[unit.dimension]
    if isinstance(expr, m.Variable):
        if expr.name not in MEASURES:
            found.append(_unknown("measure", expr.name, expr.span, MEASURES, "unknown-fact"))
            return None
        return _DIM_OF[MEASURES[expr.name]]
    left, right = _dimension(expr.left, found), _dimension(expr.right, found)
    if left is None or right is None:
        return None
    if expr.op in "+-":
        if left != right:
            found.append(
                error(
                    "unit-mismatch",
                    f"cannot combine {_dims_words(left)} and {_dims_words(right)} with '{expr.op}'",
                    expr.span,
                )
            )
            return None
        return left
    sign = 1 if expr.op == "*" else -1
    return (left[0] + sign * right[0], left[1] + sign * right[1])


def _dims_words(d: Dims) -> str:
    names = {_MONEY: "money", (0, 1): "time", (0, 0): "a plain number or ratio"}
    return names.get(d, "a mixed unit")


def check_tiers(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Credit tiers neither overlap nor leave a gap, down to 0% and up to the target."""
    target = _target(scope)
    for clause in contract.clauses:
        if not isinstance(clause, m.RemedyClause) or not clause.tiers:
            continue
        bands = [(_band(t), t) for t in clause.tiers]
        if any(b is None for b, _ in bands):
            continue
        ordered = sorted(((b, t) for b, t in bands if b), key=lambda bt: _band_order(bt[0]))
        for (low, _), (high, tier) in itertools.pairwise(ordered):
            yield from _between(low, high, tier)
        lowest_band, lowest = ordered[0]
        if (lowest_band.low is not None and lowest_band.low > 0) or (
            lowest_band.low == 0 and not lowest_band.low_inclusive
        ):
            yield error(
                "tier-gap",
                f"no tier covers availability {_below(lowest_band)}",
                lowest.span,
                "let the lowest tier reach 0%: drop its lower bound",
            )
        top_band, top = ordered[-1]
        if target is not None and target.op in (None, ">=", ">"):
            limit = target.quantity.value
            inclusive_met = target.op in (None, ">=")
            top_high, high_inc = top_band.high, top_band.high_inclusive
            if (
                top_high is None
                or top_high > limit
                or (top_high == limit and high_inc and inclusive_met)
            ):
                yield error(
                    "tier-overlap",
                    "the top tier pays credit at availabilities that meet the "
                    f"{show_number(limit)}% target",
                    top.span,
                    f"bound the top tier with `< {show_number(limit)}%`",
                )
            elif top_high < limit or (top_high == limit and not high_inc and not inclusive_met):
                yield error(
                    "tier-gap",
                    f"availability from {show_number(top_high)}% up to the "
                    f"{show_number(limit)}% target is below target but in no tier",
                    top.span,
                    f"bound the top tier with `< {show_number(limit)}%`",
                )


@attrs.frozen
class _Band:
    low: Fraction | None
    low_inclusive: bool
    high: Fraction | None
    high_inclusive: bool


def _band(tier: m.Tier) -> _Band | None:
    low: Fraction | None = None
    high: Fraction | None = None
    low_inc = high_inc = True
    for bound in tier.bounds:
        value = bound.quantity.value
        if bound.op in (">", ">="):
            low, low_inc = value, bound.op == ">="
        elif bound.op in ("<", "<="):
            high, high_inc = value, bound.op == "<="
        else:
            return None
    return _Band(low, low_inc, high, high_inc)


def _band_order(b: _Band) -> tuple[Fraction, int]:
    return (b.low if b.low is not None else Fraction(-1), 0 if b.low_inclusive else 1)


def _between(low: _Band, high: _Band, tier: m.Tier) -> Iterator[Diagnostic]:
    """Compare two neighbouring bands: ``low`` ends where ``high`` should begin."""
    end, end_inc = low.high, low.high_inclusive
    start, start_inc = high.low, high.low_inclusive
    if end is None or start is None or end > start or (end == start and end_inc and start_inc):
        yield error(
            "tier-overlap",
            f"tiers overlap at {_overlap_words(low, high)}",
            tier.span,
            "make one bound strict: `< X%` in one tier and `>= X%` in the next",
        )
    elif end < start or (end == start and not end_inc and not start_inc):
        at = (
            f"exactly {show_number(end)}%"
            if end == start
            else f"from {show_number(end)}% to {show_number(start)}%"
        )
        yield error(
            "tier-gap",
            f"no tier covers availability {at}",
            tier.span,
            "make the neighbouring bounds meet: `< X%` in one tier and `>= X%` in the next",
        )


def _overlap_words(low: _Band, high: _Band) -> str:
    if low.high is not None and high.low is not None and low.high == high.low:
        return f"exactly {show_number(low.high)}%"
    return f"{show_number(high.low)}%" if high.low is not None else "their lower end"


def _below(b: _Band) -> str:
    assert b.low is not None
    return (
        f"below {show_number(b.low)}%" if b.low_inclusive else f"at or below {show_number(b.low)}%"
    )


# ------------------------------------------------------------------ exceptions and order


def precedence_edges(contract: m.Contract) -> list[tuple[str, str]]:
    """Edges ``(a, b)`` when clause a takes precedence over clause b (exception or override)."""
    edges = []
    for clause in contract.clauses:
        if isinstance(clause, m.ExceptionClause):
            edges.append((clause.id, clause.target.name))
        if isinstance(clause, m.RuleClause):
            edges.extend((clause.id, ref.name) for ref in clause.overrides)
    return edges


def _graph(edges: list[tuple[str, str]]) -> Any:
    # networkx takes a fifth of a second to import; most contracts declare no precedence,
    # and then there is no graph to build.
    import networkx as nx

    return nx.DiGraph(edges)


def check_exception_cycles(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Exceptions and overrides never form a cycle (a clause cannot win over itself)."""
    edges = precedence_edges(contract)
    if not edges:
        return
    import networkx as nx

    cycles = [_rotate(c) for c in nx.simple_cycles(_graph(edges))]
    for cycle in sorted(cycles):
        first = scope.clauses.get(cycle[0])
        yield error(
            "exception-cycle",
            "exceptions form a cycle: " + " -> ".join([*cycle, cycle[0]]),
            first.span if first else contract.span,
            "an exception cannot, through others, be an exception to itself; remove one link",
        )


def _rotate(cycle: list[str]) -> list[str]:
    """The same cycle, starting at its alphabetically first clause (stable output)."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _effective(clause: m.AnyClause) -> m.Condition | None:
    cond = getattr(clause, "condition", None)
    unless = getattr(clause, "unless", None)
    return conjoin(cond, unless, negate_last=True) if unless is not None else cond


def check_contradictions(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """An exclusion and an inclusion that can both hold must say which one wins."""
    rules = [c for c in contract.clauses if isinstance(c, m.RuleClause)]
    if len({r.effect for r in rules}) < 2:
        return
    edges = precedence_edges(contract)
    ordered = _reachable(edges) if edges else set()
    excepted = _exception_pairs(contract)  # once, not a scan of every clause per pair
    for i, a in enumerate(rules):
        for b in rules[i + 1 :]:
            if a.effect == b.effect or (a.id, b.id) in ordered or (b.id, a.id) in ordered:
                continue
            if frozenset((a.id, b.id)) in excepted:
                continue
            both = conjoin(_effective(a), _effective(b))
            if satisfiable(both, scope.domain):
                yield error(
                    "contradiction",
                    f"{b.kind} {b.id} contradicts {a.kind} {a.id} (line {a.span.line}): "
                    "both can apply to the same outage and neither is declared to win",
                    b.span,
                    f"add `overrides {a.id}` to {b.id}, or `overrides {b.id}` to {a.id}",
                )


def _reachable(edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair (a, b) with a path from a to b: a declared order, direct or through others."""
    import networkx as nx

    closure = nx.transitive_closure(_graph(edges), reflexive=False)
    return set(closure.edges)


def _exception_pairs(contract: m.Contract) -> set[frozenset[str]]:
    return {
        frozenset((c.id, c.target.name))
        for c in contract.clauses
        if isinstance(c, m.ExceptionClause)
    }


def check_never_applies(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """A clause whose condition can never hold is a mistake in the encoding."""
    for clause in contract.clauses:
        cond = _effective(clause)
        if cond is None or isinstance(clause, m.RemedyClause):
            continue
        if not satisfiable(cond, scope.domain):
            yield error(
                "never-applies",
                f"{clause.kind} {clause.id} can never apply: its condition is always false",
                cond.span,
                "check the bounds and sets: no outage can satisfy all of them at once",
            )
        elif isinstance(clause, m.ExceptionClause):
            target = scope.clauses.get(clause.target.name)
            base = _effective(target) if target is not None else None
            if base is not None and not satisfiable(conjoin(base, cond), scope.domain):
                yield error(
                    "never-applies",
                    f"exception {clause.id} can never apply: whenever it holds, "
                    f"{clause.target.name} does not",
                    cond.span,
                    f"an exception narrows {clause.target.name}; its condition must be able to "
                    "hold together with it",
                )


# ------------------------------------------------------------------ vocabulary


def check_vocabulary(vocabulary: m.Vocabulary) -> Iterator[Diagnostic]:
    """Facts and codes are declared once, with known types and both labels."""
    seen: dict[str, m.Span] = {}
    for fact in vocabulary.facts:
        if fact.name in seen:
            yield error("duplicate-fact", f"fact '{fact.name}' is declared twice", fact.span)
        seen[fact.name] = fact.span
        if fact.type not in FACT_TYPES:
            yield _unknown("fact type", fact.type, fact.span, FACT_TYPES, "bad-fact-type")
        if fact.type == "code" and not fact.codes:
            yield error("no-codes", f"code fact '{fact.name}' lists no codes", fact.span)
        if fact.codes and fact.type != "code":
            yield error(
                "bad-fact-type", f"'{fact.name}' is a {fact.type}, which takes no codes", fact.span
            )
        codes: set[str] = set()
        for code in fact.codes:
            if code.name in codes:
                yield error(
                    "duplicate-code",
                    f"code '{code.name}' of '{fact.name}' is declared twice",
                    code.span,
                )
            codes.add(code.name)
            if not code.ja.strip() or not code.en.strip():
                yield warning(
                    "missing-label",
                    f"code '{code.name}' needs a Japanese and an English label",
                    code.span,
                )
    for event in vocabulary.events:
        if event.name in seen:
            yield error("duplicate-fact", f"'{event.name}' is declared twice", event.span)
        seen[event.name] = event.span


# ------------------------------------------------------------------ entry point


def check_examples(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Examples name existing records, clauses and verdicts; their records are valid."""
    from rulebook import examples  # imported here: examples need the engine, which needs us

    return examples.check_examples(contract)


#: The checks, in the order they run. All of them always run.
CHECKS: tuple[Check, ...] = (
    check_metadata,
    check_citations,
    check_duplicate_ids,
    check_references,
    check_units,
    check_conditions,
    check_services,
    check_availability,
    check_downtime,
    check_calendars,
    check_maintenance,
    check_obligations,
    check_performance,
    check_remedies,
    check_tiers,
    check_exception_cycles,
    check_contradictions,
    check_never_applies,
    check_examples,
)


def check_contract(contract: m.Contract) -> list[Diagnostic]:
    """Every static problem of one parsed contract."""
    scope = Scope.of(contract)
    return [d for check in CHECKS for d in check(contract, scope)]
