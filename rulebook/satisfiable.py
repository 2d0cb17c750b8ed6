"""Can a condition ever hold? A small decision procedure for the checker.

Conditions are turned into disjunctive normal form over literals (an atom, possibly
negated); a conjunction holds for some record when every fact's literals leave it a value.
Three-valued logic matters here: any literal about a fact's value (even a negated one)
needs the fact to be known, so ``cause is unknown and cause != war`` can never hold.

Facts the procedure cannot reason about (sets, events, measures compared with measures)
are taken as satisfiable, so it only ever reports what is certainly impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

import attrs

from rulebook import model as m
from rulebook import units

#: Beyond this many conjunctions, DNF is not expanded and the answer is "satisfiable".
MAX_TERMS = 512

Literal = tuple[m.Condition, bool]  # (atom, positive)


@attrs.frozen
class Domain:
    """What the checker knows about one fact: its type and, for codes, every value."""

    type: str
    values: frozenset[str] | None = None


DomainOf = Callable[[str], Domain | None]


def satisfiable(condition: m.Condition | None, domain_of: DomainOf) -> bool:
    """True unless ``condition`` can certainly never hold."""
    if condition is None:
        return True
    terms = _dnf(condition, True)
    if terms is None:
        return True
    return any(_consistent(term, domain_of) for term in terms)


def conjoin(*conditions: m.Condition | None, negate_last: bool = False) -> m.Condition | None:
    """``a and b and ...`` (``negate_last``: ``... and not z``) ignoring missing parts."""
    parts = [c for c in conditions if c is not None]
    if negate_last and conditions and conditions[-1] is not None:
        parts[-1] = m.Not(parts[-1], parts[-1].span)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else m.All(tuple(parts), parts[0].span)


def _dnf(cond: m.Condition, positive: bool) -> list[list[Literal]] | None:
    if isinstance(cond, m.Not):
        return _dnf(cond.item, not positive)
    if isinstance(cond, (m.All, m.Any)):
        conjunctive = isinstance(cond, m.All) == positive
        parts = [_dnf(item, positive) for item in cond.items]
        if any(p is None for p in parts):
            return None
        if not conjunctive:
            return [term for p in parts for term in p or []]
        terms: list[list[Literal]] = [[]]
        for p in parts:
            terms = [t + u for t in terms for u in p or []]
            if len(terms) > MAX_TERMS:
                return None
        return terms
    return [[(cond, positive)]]


@attrs.define
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


_NEGATED_OP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}


def _consistent(term: list[Literal], domain_of: DomainOf) -> bool:
    allowed: dict[str, set[str]] = {}
    excluded_points: dict[str, set[Fraction]] = {}
    bounds: dict[str, _Bounds] = {}
    must_know: set[str] = set()
    must_not_know: set[str] = set()
    for atom, positive in term:
        fact = getattr(atom, "fact", "")
        if isinstance(atom, m.Includes) and not atom.values and positive:
            return False  # no set shares an element with the empty set
        if isinstance(atom, m.Known):
            (must_know if atom.known == positive else must_not_know).add(fact)
            continue
        must_know.add(fact)
        domain = domain_of(fact)
        if domain is None:
            continue
        for code_set in _code_constraint(atom, positive, domain):
            allowed[fact] = allowed.get(fact, set(code_set)) & set(code_set)
        for op, number in _numeric_constraint(atom, positive):
            if op == "!=":
                excluded_points.setdefault(fact, set()).add(number)
            else:
                bounds.setdefault(fact, _Bounds()).restrict(op, number)
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


def _code_constraint(atom: m.Condition, positive: bool, domain: Domain) -> Iterator[set[str]]:
    """The codes a scalar code/bool fact may take for this literal to hold."""
    if domain.values is None:
        return
    every = set(domain.values)
    chosen: set[str] | None = None
    if isinstance(atom, m.Flag) and domain.type == "bool":
        chosen = {"true"}
    elif isinstance(atom, m.Compare) and atom.op in ("=", "!="):
        value = _code_of(atom.value)
        if value is None:
            return
        chosen = {value} if atom.op == "=" else every - {value}
    elif isinstance(atom, m.Member) and domain.type != "set":
        values = {v for v in (_code_of(x) for x in atom.values) if v is not None}
        chosen = every - values if atom.negated else values
    if chosen is None:
        return
    yield chosen if positive else every - chosen


def _code_of(value: m.Value) -> str | None:
    if isinstance(value, m.Code):
        return value.name
    if isinstance(value, m.Bool):
        return "true" if value.value else "false"
    return None


def _numeric_constraint(atom: m.Condition, positive: bool) -> Iterator[tuple[str, Fraction]]:
    if not isinstance(atom, m.Compare) or not isinstance(atom.value, m.Quantity):
        return
    number = magnitude(atom.value)
    if number is None:
        return
    yield (atom.op if positive else _NEGATED_OP[atom.op]), number


def magnitude(q: m.Quantity) -> Fraction | None:
    """A comparable number for a quantity: seconds for fixed durations, else the value."""
    unit = units.canonical(q.written)
    if unit is None or unit.dimension in ("calendar", "business_time"):
        return None
    return q.value * unit.seconds if unit.seconds is not None else q.value
