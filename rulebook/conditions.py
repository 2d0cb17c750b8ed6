"""What a contract's conditions name, read off the model alone: the facts a condition
reads, its constants as the values they compare with, the comparison operators, how a
`service` glob matches a name, and which services a contract covers.

Both evaluators and the intake read these, so they live below all three (the model layer).
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable
from typing import Any

from rulebook import model as m
from rulebook.satisfiable import magnitude

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


def glob_pattern(pattern: str) -> str:
    """A service glob as an anchored regular expression, the same for Python's ``re`` and
    polars: ``*`` is any run of characters, ``?`` one character, all else literal.

    >>> bool(re.fullmatch(glob_pattern("CYBER*"), "CYBERCHAT"))
    True
    """
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return "^(?s:" + "".join(parts) + ")$"


def service_matches(atom: m.Member | m.Compare) -> Callable[[str], bool]:
    """Whether a service name is matched by the globs of a `service` atom (before `not`)."""
    values = atom.values if isinstance(atom, m.Member) else (atom.value,)
    globs = [re.compile(glob_pattern(str(constant_value(v)))) for v in values]
    return lambda name: any(g.match(name) for g in globs)


def condition_facts(*conditions: m.Condition | None) -> tuple[str, ...]:
    """The facts conditions look at, in order of first mention."""
    names: list[str] = []

    def walk(c: m.Condition | None) -> None:
        if c is None:
            return
        if isinstance(c, (m.All, m.Any)):
            for item in c.items:
                walk(item)
        elif isinstance(c, m.Not):
            walk(c.item)
        elif not isinstance(c, m.DefinedBy) and c.fact not in names:
            names.append(c.fact)

    for cond in conditions:
        walk(cond)
    return tuple(names)


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
