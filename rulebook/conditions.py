"""What a contract's conditions name, read off the model alone: the facts a condition
reads, its constants as the values they compare with, the comparison operators, how a
`service` glob matches a name, and which services a contract covers.

Both evaluators and the intake read these, so they live below all three (the model layer).
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any, TypeVar

import attrs

from rulebook import model as m
from rulebook.satisfiable import magnitude
from rulebook.text import Words

#: The DSL's comparison operators (the columnar plan applies them to polars expressions).
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def constant_value(value: m.Value) -> Any:
    if isinstance(value, m.Quantity):
        number = magnitude(value)
        return number if number is not None else value.value
    if isinstance(value, m.Code):
        return value.name
    return value.value


#: The built-in fact naming a record's service: every record has one, written in
#: conditions as `service in {"NAME", ...}` (globs `*` and `?`, as in `covers`).
SERVICE = "service"

#: The key under which an obligation's facts carry the clauses that wholly excluded its
#: record (``excluded by``): not a fact name, so no vocabulary can shadow it.
EXCLUDED_BY = "excluded by"


def glob_pattern(pattern: str) -> str:
    """A service glob as an anchored regular expression, the same for Python's ``re`` and
    polars: ``*`` is any run of characters, ``?`` one character, all else literal.

    >>> bool(re.fullmatch(glob_pattern("CYBER*"), "CYBERCHAT"))
    True
    """
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return "^(?s:" + "".join(parts) + ")$"


def escape_glob(name: str) -> str:
    """A literal name as a glob of the project file's ``log`` (``fnmatch``: ``*``, ``?`` and
    ``[...]``) that matches that name only: each of ``*?[`` in brackets.

    >>> escape_glob("X*"), escape_glob("A[1]?")
    ('X[*]', 'A[[]1][?]')
    >>> import fnmatch
    >>> fnmatch.fnmatchcase("X*", "X[*]"), fnmatch.fnmatchcase("XY", "X[*]")
    (True, False)
    """
    return re.sub(r"([*?\[])", r"[\1]", name)


def service_matches(atom: m.Member | m.Compare) -> Callable[[str], bool]:
    """Whether a service name is matched by the globs of a `service` atom (before `not`)."""
    values = atom.values if isinstance(atom, m.Member) else (atom.value,)
    globs = [re.compile(glob_pattern(str(constant_value(v)))) for v in values]
    return lambda name: any(g.match(name) for g in globs)


def atoms(*conditions: m.Condition | None) -> Iterator[m.Atom]:
    """The atoms of conditions (the tests under `and`, `or`, `not`), in order."""
    for c in conditions:
        if isinstance(c, (m.All, m.Any)):
            yield from atoms(*c.items)
        elif isinstance(c, m.Not):
            yield from atoms(c.item)
        elif c is not None:
            yield c


def condition_facts(*conditions: m.Condition | None) -> tuple[str, ...]:
    """The facts conditions look at, in order of first mention."""
    names = [a.fact for a in atoms(*conditions) if not isinstance(a, (m.DefinedBy, m.ExcludedBy))]
    return tuple(dict.fromkeys(names))


T = TypeVar("T")


def fold_formula(
    expr: m.Expr,
    number: Callable[[Fraction], T],
    variable: Callable[[str], T],
    divide: Callable[[T, T], T],
) -> T:
    """A remedy formula computed with the caller's numbers (exact fractions in the engine,
    the solver's terms in the prover): percentages as ratios, availability and target too,
    durations in seconds; ``divide`` says what a division by zero is."""
    if isinstance(expr, m.Quantity):
        if expr.written == "%":
            return number(expr.value / 100)
        seconds = magnitude(expr)
        return number(seconds if seconds is not None else expr.value)
    if isinstance(expr, m.Variable):
        value: Any = variable(expr.name)
        return value / 100 if expr.name in ("availability", "target") else value  # type: ignore[no-any-return]
    left = fold_formula(expr.left, number, variable, divide)
    right = fold_formula(expr.right, number, variable, divide)
    if expr.op == "+":
        return left + right  # type: ignore[operator,no-any-return]
    if expr.op == "-":
        return left - right  # type: ignore[operator,no-any-return]
    if expr.op == "*":
        return left * right  # type: ignore[operator,no-any-return]
    return divide(left, right)


def coverage(contract: m.Contract) -> tuple[m.ServicesClause, Callable[[str], bool]] | None:
    """The contract's services clause and whether it covers a service name (globs in
    ``covers`` and ``excludes``); None when the contract names no services."""
    services = [c for c in contract.clauses if isinstance(c, m.ServicesClause)]
    if not services:
        return None
    covers = [t.value for c in services for t in c.covers]
    excludes = [t.value for c in services for t in c.excludes]

    def covered(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in covers) and not any(
            fnmatch.fnmatchcase(name, p) for p in excludes
        )

    return services[0], covered


#: The fact that says how badly a record's service was hit, and its value that is not
#: downtime unless the contract says otherwise (docs/vocabulary.md, "Degradations").
IMPACT, DEGRADATION = "impact", "degradation"


def names_fact(contract: m.Contract, fact: str) -> bool:
    """Whether any condition of the contract (a clause's, an exception's, an example's
    aside) tests ``fact``."""

    def walk(value: Any) -> bool:
        if isinstance(value, (m.All, m.Any)):
            return any(walk(item) for item in value.items)
        if isinstance(value, m.Not):
            return walk(value.item)
        if getattr(value, "fact", None) == fact and not isinstance(value, m.DefinedBy):
            return True
        if isinstance(value, tuple):
            return any(walk(v) for v in value)
        if attrs.has(type(value)) and not isinstance(value, m.Span):
            return any(walk(getattr(value, a.name)) for a in attrs.fields(type(value)))
        return False

    return any(walk(clause) for clause in contract.clauses)


def degradation_clause(contract: m.Contract) -> str | None:
    """The clause a degradation is decided under (not downtime), or None when the contract
    tests ``impact`` itself, and so says what a degradation is. A degradation is decided by
    what defines downtime: the downtime clause, else the availability clause, else the
    first clause."""
    if names_fact(contract, IMPACT) or not contract.clauses:
        return None
    for kind in (m.DowntimeClause, m.AvailabilityClause):
        found = next((c for c in contract.clauses if isinstance(c, kind)), None)
        if found is not None:
            return found.id
    return contract.clauses[0].id


#: Why a degradation is not downtime (the contract does not test `impact`).
DEGRADED = Words(
    "a degradation (impact = degradation: slower or partly failing, still working) is not "
    "downtime: the contract does not count degradations (a contract that tests `impact`, or "
    "a project file that reads the source's impact as an outage, does)",
    "品質低下・一部障害（impact = degradation）はダウンタイムではありません。契約は品質低下を"
    "算入していません（impact を条件に書いた契約、又は影響を停止と読む"
    "プロジェクトファイルでは算入）",
)
