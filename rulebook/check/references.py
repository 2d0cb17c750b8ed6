"""Clause references: every name that points at another clause finds one of the right kind."""

from __future__ import annotations

from collections.abc import Iterator

from rulebook import model as m
from rulebook.check.scope import Scope, error, unknown
from rulebook.diagnostics import Diagnostic
from rulebook.text import did_you_mean


def ref_to(ref: m.Ref, scope: Scope, kinds: tuple[type, ...], what: str) -> Iterator[Diagnostic]:
    target = scope.clauses.get(ref.name)
    candidates = [c.id for c in scope.clauses.values() if isinstance(c, kinds)]
    if target is None:
        yield unknown(what, ref.name, ref.span, candidates, "unknown-clause")
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
            for target in clause.targets:
                yield from ref_to(
                    target,
                    scope,
                    (m.RuleClause, m.ExceptionClause, m.MaintenanceClause, m.ObligationClause),
                    "clause an exception can apply to",
                )
        if isinstance(clause, m.RuleClause):
            for ref in clause.overrides:
                yield from ref_to(ref, scope, rules, "exclusion or inclusion")
        if isinstance(clause, m.AvailabilityClause):
            for ref in clause.denominator_minus:
                yield from ref_to(ref, scope, (m.MaintenanceClause,), "maintenance clause")
        for ref in _calendar_refs(clause):
            yield from ref_to(ref, scope, (m.CalendarClause,), "calendar")


def _calendar_refs(clause: m.AnyClause) -> list[m.Ref]:
    refs = []
    if isinstance(clause, m.MaintenanceClause) and clause.moved_on:
        refs.append(clause.moved_on)
    if isinstance(clause, m.ObligationClause) and clause.calendar:
        refs.append(clause.calendar)
    return refs
