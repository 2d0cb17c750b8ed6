"""Conditions: facts, codes and values exist and have compatible types and units."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.check.calendars import calendar_with_hours
from rulebook.check.quantities import DIMENSION_WORDS, FACT_DIMENSION, check_dimension, check_word
from rulebook.check.references import ref_to
from rulebook.check.scope import Scope, error, target_of, unknown
from rulebook.countries import COUNTRIES
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import MEASURES
from rulebook.nodes import NodeRules
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean


@with_repr
@attrs.frozen(repr=False)
class _Context:
    """Which names a condition may use: record facts, events, remedy measures."""

    record_facts: bool
    events: bool
    measures: bool
    verdicts: bool = False  # `excluded by`: judged after every record's verdict


RECORD = _Context(True, False, False)


OBLIGATION = _Context(True, True, False, verdicts=True)


#: An exception whose every target is an obligation: record facts, and the verdict.
LIFTING = _Context(True, False, False, verdicts=True)


REMEDY = _Context(False, False, True)


def _conditions(
    clause: m.AnyClause, obligations: frozenset[str]
) -> Iterator[tuple[m.Condition, _Context]]:
    if isinstance(clause, m.RemedyClause):
        ctx = REMEDY
    elif isinstance(clause, m.ObligationClause):
        ctx = OBLIGATION
    elif isinstance(clause, m.ExceptionClause) and all(
        t.name in obligations for t in clause.targets
    ):
        ctx = LIFTING
    else:
        ctx = RECORD
    for name in ("condition", "unless"):
        cond = getattr(clause, name, None)
        if cond is not None:
            yield cond, ctx
    if isinstance(clause, m.RemedyClause) and clause.records is not None:
        yield clause.records, RECORD  # `records where`: the records' own facts


#: The check's rule for each condition node (:mod:`rulebook.nodes`): the node, where it
#: stands and the contract's names, to its diagnostics.
RULES: NodeRules[Callable[[Any, _Context, Scope], Iterator[Diagnostic]]] = NodeRules("check")


def check_conditions(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Facts, codes and values in conditions exist and have compatible types and units."""
    if contract.vocabulary is None:
        return
    obligations = frozenset(c.id for c in contract.clauses if isinstance(c, m.ObligationClause))
    for clause in contract.clauses:
        for cond, ctx in _conditions(clause, obligations):
            yield from check_condition(cond, ctx, scope)


def check_condition(cond: m.Condition, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    """One condition's diagnostics, node by node."""
    return RULES[cond](cond, ctx, scope)


@RULES.register(m.All, m.Any)
def _check_junction(node: m.All | m.Any, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    for item in node.items:
        yield from check_condition(item, ctx, scope)


@RULES.register(m.Not)
def _check_not(node: m.Not, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    return check_condition(node.item, ctx, scope)


def _names(ctx: _Context, scope: Scope) -> list[str]:
    names: list[str] = []
    if ctx.record_facts:
        names += list(scope.facts)
    if ctx.events:
        names += list(scope.events)
    if ctx.measures:
        names += list(MEASURES)
    return names


@RULES.register(m.During)
def _check_during(atom: m.During, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    """`EVENT during CALENDAR hours`: an event, in an obligation, and a calendar with hours."""
    fact = atom.fact
    span = _name_span(atom.span, fact)
    if not ctx.events:
        yield error(
            "type-mismatch",
            f"`{fact} during ... hours` tests an event, and events are only known to obligations",
            span,
            "move the test to an obligation's `when`",
        )
    elif fact not in scope.events:
        yield unknown("event", fact, span, scope.events, "unknown-event")
    yield from calendar_with_hours(atom.calendar, _last_name_span(atom.span, atom.calendar), scope)


@RULES.register(m.Known)
def _check_known(atom: m.Known, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    """`NAME is known`: any name the place knows (a fact, an event, a measure)."""
    if atom.fact not in _names(ctx, scope):
        span = _name_span(atom.span, atom.fact)
        yield unknown("fact", atom.fact, span, _names(ctx, scope), "unknown-fact")


@RULES.register(m.Compare, m.Member, m.Includes, m.Flag)
def _check_value_test(
    atom: m.Compare | m.Member | m.Includes | m.Flag, ctx: _Context, scope: Scope
) -> Iterator[Diagnostic]:
    """A test of a fact's value (or, in a remedy, a measure's): the name exists where the
    test stands and the test suits its type (:func:`_check_fact_atom`)."""
    fact = atom.fact
    span = _name_span(atom.span, fact)
    if ctx.measures:
        yield from _check_measure_atom(atom, scope)
        return
    if fact == "service" and ctx.record_facts and "service" not in scope.facts:
        yield from _check_service_atom(atom)
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
            yield unknown("fact", fact, span, _names(ctx, scope), "unknown-fact")
        return
    yield from _check_fact_atom(atom, decl)


@RULES.register(m.DefinedBy)
def _check_defined_by(atom: m.DefinedBy, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    """`defined by CLAUSE` names a downtime clause, in an obligation's conditions."""
    if not ctx.events:
        yield error(
            "type-mismatch",
            "`defined by` tests whether a record is a failure as a downtime clause defines "
            "it; only obligations can use it",
            atom.span,
            "move the test to an obligation's `when`",
        )
        return
    yield from ref_to(atom.clause, scope, (m.DowntimeClause,), "downtime clause")


@RULES.register(m.ExcludedBy)
def _check_excluded_by(atom: m.ExcludedBy, ctx: _Context, scope: Scope) -> Iterator[Diagnostic]:
    """`excluded by CLAUSE, ...` names exclusions or maintenance clauses, in an obligation's
    conditions or an exception whose targets are all obligations."""
    if not ctx.verdicts:
        yield error(
            "type-mismatch",
            "`excluded by` tests the verdict of a record, which is decided after the record's "
            "conditions; only obligations, and exceptions to obligations, can use it",
            atom.span,
            "write it in an obligation's `when`/`unless`, or in an exception whose targets "
            "are all obligations",
        )
        return
    kinds = (m.RuleClause, m.MaintenanceClause)
    for ref in atom.clauses:
        target = scope.clauses.get(ref.name)
        if isinstance(target, m.RuleClause) and target.effect != "exclude":
            yield error(
                "wrong-clause-kind",
                f"'{ref.name}' is an inclusion clause, not an exclusion or maintenance clause",
                ref.span,
                "`excluded by` names the clauses that take a record out of the SLA",
            )
        else:
            yield from ref_to(ref, scope, kinds, "exclusion or maintenance clause")


def _check_service_atom(atom: m.Condition) -> Iterator[Diagnostic]:
    """`service in {"GLOB", ...}` (or `=`, `!=`): the record's service, by quoted names."""
    values = (
        atom.values
        if isinstance(atom, m.Member)
        else (atom.value,)
        if isinstance(atom, m.Compare) and atom.op in ("=", "!=")
        else None
    )
    if values is None:
        yield error(
            "type-mismatch",
            "'service' is the record's service name; it is tested with "
            '`service in {"NAME", ...}`, `service = "NAME"` or `!=`',
            atom.span,
            'write `service in {"NAME"}` (globs `*` and `?` as in `covers`)',
        )
        return
    for value in values:
        if not isinstance(value, m.Text):
            yield error(
                "type-mismatch",
                "a service is named by a quoted string, as in `covers`",
                value.span,
                'write `service in {"NAME"}`',
            )


def _name_span(span: m.Span, name: str) -> m.Span:
    """Every atom starts with its fact's name: point at just that name."""
    return attrs.evolve(span, end_line=span.line, end_column=span.column + len(name))


def _last_name_span(span: m.Span, name: str) -> m.Span:
    """``EVENT during CALENDAR hours`` ends its span with the calendar's name: point at it."""
    return attrs.evolve(span, line=span.end_line, column=span.end_column - len(name))


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
        yield from check_word(atom.op, atom.word)
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
            yield unknown(
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
            yield from check_dimension(value, FACT_DIMENSION[expected], decl.name)
    elif expected == "text" and not isinstance(value, m.Text):
        yield _mismatch(value, decl, 'a quoted string "..."')


def _mismatch(value: m.Value, decl: m.FactDecl, expected: str) -> Diagnostic:
    return error(
        "type-mismatch",
        f"'{decl.name}' is a {_type_words(decl)}, but {value_words(value)} is given",
        value.span,
        f"expected {expected}",
    )


def value_words(value: m.Value) -> str:
    if isinstance(value, m.Quantity):
        return f"the quantity {units.show(value)}"
    if isinstance(value, m.Code):
        return f"the code '{value.name}'"
    if isinstance(value, m.Bool):
        return "a yes/no value"
    return "a string"


def _check_measure_atom(atom: m.Condition, scope: Scope) -> Iterator[Diagnostic]:
    fact = getattr(atom, "fact", "")
    if fact not in MEASURES:
        yield unknown("measure", fact, _name_span(atom.span, fact), MEASURES, "unknown-fact")
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
            yield unknown("measure", value.name, value.span, MEASURES, "unknown-fact")
        elif MEASURES[value.name] != dimension:
            yield error(
                "unit-mismatch",
                f"cannot compare '{fact}' ({DIMENSION_WORDS[dimension]}) with "
                f"'{value.name}' ({DIMENSION_WORDS[MEASURES[value.name]]})",
                atom.span,
            )
        elif value.name == "target" and target_of(scope) is None:
            yield error(
                "no-target",
                "the remedy compares with 'target', but the contract sets no availability target",
                value.span,
                "add `target 99.9% (以上)` to the availability clause",
            )
    elif isinstance(value, m.Quantity):
        yield from check_dimension(value, (dimension,), fact)
    else:
        yield error(
            "type-mismatch", f"'{fact}' cannot be compared with {value_words(value)}", value.span
        )
    yield from check_word(atom.op, atom.word)


RULES.complete()
