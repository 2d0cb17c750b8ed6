"""Can a condition ever hold? A small decision procedure for the checker.

Conditions are turned into disjunctive normal form over constraints — each atom, possibly
negated, says what it asks of its fact, by its rule in :data:`RULES` (its column of the
table of condition kinds, :mod:`rulebook.nodes`) —; a conjunction holds for some record
when every fact's constraints leave it a value.
Three-valued logic matters here: any literal about a fact's value (even a negated one)
needs the fact to be known, so ``cause is unknown and cause != war`` can never hold.

Facts the procedure cannot reason about (sets, events, measures compared with measures)
are taken as satisfiable, so it only ever reports what is certainly impossible.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.nodes import NodeRules
from rulebook.reprs import with_repr

#: Beyond this many conjunctions, DNF is not expanded and the answer is "satisfiable".
MAX_TERMS = 512


@with_repr
@attrs.frozen(repr=False)
class Domain:
    """What the checker knows about one fact: its type and, for codes, every value."""

    type: str
    values: frozenset[str] | None = None


DomainOf = Callable[[str], Domain | None]


@with_repr
@attrs.frozen(repr=False)
class Constraint:
    """What one literal asks of one fact: that it be known (or unknown), and, where the
    procedure can tell, the codes it leaves (``codes``) and a bound on its number
    (``bound``: an operator and a number; ``!=`` removes one point)."""

    fact: str
    known: bool = True
    codes: frozenset[str] | None = None
    bound: tuple[str, Fraction] | None = None


#: A conjunction of constraints; a condition is a list of them (disjunctive normal form):
#: ``[]`` never holds, ``[[]]`` holds for some record.
Term = list[Constraint]

#: The satisfiability rule of each condition node (:mod:`rulebook.nodes`): the node, whether
#: it must hold (or not hold), and the facts' domains, to its terms — None when they are too
#: many to expand (then the answer is "satisfiable").
RULES: NodeRules[Callable[[Any, bool, DomainOf], list[Term] | None]] = NodeRules("satisfiability")


def satisfiable(condition: m.Condition | None, domain_of: DomainOf) -> bool:
    """True unless ``condition`` can certainly never hold."""
    if condition is None:
        return True
    terms = dnf(condition, True, domain_of)
    if terms is None:
        return True
    return any(_consistent(term) for term in terms)


def dnf(cond: m.Condition, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    """``cond`` (``positive``) or its negation, in disjunctive normal form."""
    return RULES[cond](cond, positive, domain_of)


def conjoin(*conditions: m.Condition | None, negate_last: bool = False) -> m.Condition | None:
    """``a and b and ...`` (``negate_last``: ``... and not z``) ignoring missing parts."""
    parts = [c for c in conditions if c is not None]
    if negate_last and conditions and conditions[-1] is not None:
        parts[-1] = m.Not(parts[-1], parts[-1].span)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else m.All(tuple(parts), parts[0].span)


@RULES.register(m.Not)
def _not(node: m.Not, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    return dnf(node.item, not positive, domain_of)


@RULES.register(m.All, m.Any)
def _junction(node: m.All | m.Any, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    conjunctive = isinstance(node, m.All) == positive
    parts = [dnf(item, positive, domain_of) for item in node.items]
    if any(p is None for p in parts):
        return None
    if not conjunctive:
        return [term for p in parts for term in p or []]
    # The parts of one term each are joined first, in one pass (a chain of 10^5 atoms is
    # one term, built in linear time); then the product with the others, at most MAX_TERMS.
    common: Term = [c for p in parts if p is not None and len(p) == 1 for c in p[0]]
    terms: list[Term] = [common]
    for p in parts:
        if p is None or len(p) == 1:
            continue
        terms = [t + u for t in terms for u in p]
        if len(terms) > MAX_TERMS:
            return None
    return terms


@RULES.register(m.Known)
def _known(atom: m.Known, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    # The only test that sees unknown as a value: `is known` holds, or fails, on that alone.
    return [[Constraint(atom.fact, atom.known == positive)]]


@RULES.register(m.Compare)
def _compare(atom: m.Compare, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    domain = domain_of(atom.fact)
    if domain is None:
        return [[Constraint(atom.fact)]]
    codes = None
    value = _code_of(atom.value)
    if domain.values is not None and atom.op in ("=", "!=") and value is not None:
        chosen = {value} if atom.op == "=" else domain.values - {value}
        codes = _either(chosen, positive, domain.values)
    bound = None
    if isinstance(atom.value, m.Quantity):
        number = magnitude(atom.value)
        if number is not None:
            bound = (atom.op if positive else _NEGATED_OP[atom.op], number)
    return [[Constraint(atom.fact, codes=codes, bound=bound)]]


@RULES.register(m.Member)
def _member(atom: m.Member, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    domain = domain_of(atom.fact)
    codes = None
    if domain is not None and domain.values is not None and domain.type != "set":
        values = {v for v in (_code_of(x) for x in atom.values) if v is not None}
        chosen = domain.values - values if atom.negated else values
        codes = _either(chosen, positive, domain.values)
    return [[Constraint(atom.fact, codes=codes)]]


@RULES.register(m.Flag)
def _flag(atom: m.Flag, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    domain = domain_of(atom.fact)
    codes = None
    if domain is not None and domain.values is not None and domain.type == "bool":
        codes = _either({"true"}, positive, domain.values)
    return [[Constraint(atom.fact, codes=codes)]]


@RULES.register(m.Includes)
def _includes(atom: m.Includes, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    if not atom.values and positive:
        return []  # no set shares an element with the empty set
    return [[Constraint(atom.fact)]]


@RULES.register(m.During)
def _during(atom: m.During, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    # True or false only for a known instant; the calendar's hours are not reasoned about.
    return [[Constraint(atom.fact)]]


@RULES.register(m.DefinedBy)
def _defined_by(atom: m.DefinedBy, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    # What the downtime clause admits is not reasoned about: either way can hold.
    return [[]]


@RULES.register(m.ExcludedBy)
def _excluded_by(atom: m.ExcludedBy, positive: bool, domain_of: DomainOf) -> list[Term] | None:
    # Which clause decided a record is not reasoned about: either way can hold.
    return [[]]


RULES.complete()


def _either(
    chosen: set[str] | frozenset[str], positive: bool, every: frozenset[str]
) -> frozenset[str]:
    """The codes a literal leaves: those ``chosen`` when it holds, the others when not."""
    return frozenset(chosen) if positive else every - chosen


_NEGATED_OP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}


@with_repr
@attrs.define(repr=False)
class _Bounds:
    low: Fraction | None = None
    low_inclusive: bool = True
    high: Fraction | None = None
    high_inclusive: bool = True

    def restrict(self, op: str, value: Fraction) -> None:
        if op in (">", ">="):
            inclusive = op == ">="
            if self.low is None or value > self.low or (value == self.low and not inclusive):
                self.low, self.low_inclusive = value, inclusive
        if op in ("<", "<="):
            inclusive = op == "<="
            if self.high is None or value < self.high or (value == self.high and not inclusive):
                self.high, self.high_inclusive = value, inclusive
        if op == "=":
            self.restrict(">=", value)
            self.restrict("<=", value)

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        if self.low > self.high:
            return True
        return self.low == self.high and not (self.low_inclusive and self.high_inclusive)


def _consistent(term: Term) -> bool:
    allowed: dict[str, set[str]] = {}
    excluded_points: dict[str, set[Fraction]] = {}
    bounds: dict[str, _Bounds] = {}
    must_know: set[str] = set()
    must_not_know: set[str] = set()
    for c in term:
        (must_know if c.known else must_not_know).add(c.fact)
        if c.codes is not None:
            allowed[c.fact] = allowed.get(c.fact, set(c.codes)) & set(c.codes)
        if c.bound is not None:
            op, number = c.bound
            if op == "!=":
                excluded_points.setdefault(c.fact, set()).add(number)
            else:
                bounds.setdefault(c.fact, _Bounds()).restrict(op, number)
    if must_know & must_not_know:
        return False
    if any(not values for values in allowed.values()):
        return False
    for fact, b in bounds.items():
        if b.empty():
            return False
        point = b.low if b.low is not None and b.low == b.high else None
        if point is not None and point in excluded_points.get(fact, set()):
            return False
    return True


def _code_of(value: m.Value) -> str | None:
    if isinstance(value, m.Code):
        return value.name
    if isinstance(value, m.Bool):
        return "true" if value.value else "false"
    return None


def magnitude(q: m.Quantity) -> Fraction | None:
    """A comparable number for a quantity: seconds for fixed durations, else the value."""
    unit = units.canonical(q.written)
    if unit is None or unit.dimension in ("calendar", "business_time"):
        return None
    return q.value * unit.seconds if unit.seconds is not None else q.value
