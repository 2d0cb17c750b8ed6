"""What names mean in one contract, and the helpers every check builds diagnostics with."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from rulebook import model as m
from rulebook.countries import COUNTRIES
from rulebook.diagnostics import Diagnostic
from rulebook.reprs import with_repr
from rulebook.satisfiable import Domain
from rulebook.text import did_you_mean


@with_repr
@attrs.frozen(repr=False)
class Scope:
    """What names mean in one contract: its vocabulary and clauses by id."""

    contract: m.Contract
    facts: dict[str, m.FactDecl]
    events: dict[str, m.EventDecl]
    clauses: dict[str, m.AnyClause]
    #: Each fact's domain, worked out once (a condition may test a fact 100,000 times).
    domains: dict[str, Domain | None] = attrs.field(factory=dict, eq=False)

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
        if fact not in self.domains:
            self.domains[fact] = self._domain(fact)
        return self.domains[fact]

    def _domain(self, fact: str) -> Domain | None:
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


def unknown(what: str, name: str, span: m.Span, known: Iterable[str], code: str) -> Diagnostic:
    names = sorted(known)
    hint = did_you_mean(name, names)
    if hint is None and names:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        hint = f"known {what}s: {shown}"
    return error(code, f"unknown {what} '{name}'", span, hint)


def target_of(scope: Scope) -> m.Comparison | None:
    return next(
        (
            c.target
            for c in scope.clauses.values()
            if isinstance(c, m.AvailabilityClause) and c.target
        ),
        None,
    )
