"""Exceptions and precedence: no cycle, no undeclared contradiction, no clause that never
applies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rulebook import model as m
from rulebook.check.scope import Scope, error
from rulebook.diagnostics import Diagnostic
from rulebook.satisfiable import conjoin, satisfiable


def precedence_edges(contract: m.Contract) -> list[tuple[str, str]]:
    """Edges ``(a, b)`` when clause a takes precedence over clause b (exception or override)."""
    edges: list[tuple[str, str]] = []
    for clause in contract.clauses:
        if isinstance(clause, m.ExceptionClause):
            edges.extend((clause.id, target.name) for target in clause.targets)
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
        frozenset((c.id, target.name))
        for c in contract.clauses
        if isinstance(c, m.ExceptionClause)
        for target in c.targets
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
            for ref in clause.targets:
                target = scope.clauses.get(ref.name)
                base = _effective(target) if target is not None else None
                if base is not None and not satisfiable(conjoin(base, cond), scope.domain):
                    yield error(
                        "never-applies",
                        f"exception {clause.id} can never apply: whenever it holds, "
                        f"{ref.name} does not",
                        cond.span,
                        f"an exception narrows {ref.name}; its condition must be able to "
                        "hold together with it",
                    )
