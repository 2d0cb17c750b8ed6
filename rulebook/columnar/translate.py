"""Conditions translated to polars expressions, one small rule per node type.

A condition becomes a Boolean expression over the fact columns in which null is *unknown*:
polars' ``&``, ``|`` and ``~`` follow Kleene's three-valued logic exactly as the record
engine's closures do (``False & unknown`` is False, ``True | unknown`` is True). Each node
type has one rule, registered in :data:`RULES`, the columnar plan's column of the table of
condition kinds (:mod:`rulebook.nodes`); a node without a rule raises
:class:`~rulebook.nodes.NoRule`, as the record engine does, never a silent guess.

Numbers are compared exactly: numeric facts are columns of Float64 holding only values a
double represents exactly (the intake sends every other value to the record engine's
closures, see :mod:`rulebook.columnar.plan`), and a constant that a double cannot hold
makes :func:`exact` false for the whole condition.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import polars as pl

from rulebook import collector
from rulebook import model as m
from rulebook.conditions import OPS, SERVICE, constant_value, glob_pattern
from rulebook.engine.classify import DEFINED_BY
from rulebook.nodes import NodeRules, NoRule

UNKNOWN = pl.lit(None, dtype=pl.Boolean)

#: The columnar plan's rule for each condition node: the node and the facts' declarations
#: to a polars expression.
RULES: NodeRules[Callable[[Any, dict[str, m.FactDecl]], pl.Expr]] = NodeRules("columnar plan")


def translate(node: m.Condition, facts: dict[str, m.FactDecl]) -> pl.Expr:
    """The polars expression of a condition node (see the module docstring)."""
    return RULES[node](node, facts)


def condition(cond: m.Condition | None, facts: dict[str, m.FactDecl]) -> pl.Expr:
    """A whole condition; a missing condition always holds."""
    if cond is None:
        return pl.lit(True)
    with collector.paused():  # a few objects a term, no cycles (rulebook.collector)
        return translate(cond, facts)


# A chain is one horizontal expression, never a left-deep tree of `&` (whose optimisation
# by polars grows with the square of its depth: 2,000 terms took seconds). Both horizontal
# functions follow Kleene's logic, as `&` and `|` do.


@RULES.register(m.All)
def _all(node: m.All, facts: dict[str, m.FactDecl]) -> pl.Expr:
    return all_of([translate(c, facts) for c in node.items])


@RULES.register(m.Any)
def _any(node: m.Any, facts: dict[str, m.FactDecl]) -> pl.Expr:
    return any_of([translate(c, facts) for c in node.items])


def all_of(parts: list[pl.Expr]) -> pl.Expr:
    """Kleene ``and`` of any number of Boolean expressions (True for none)."""
    if not parts:
        return pl.lit(True)
    return parts[0] if len(parts) == 1 else pl.all_horizontal(parts)


def any_of(parts: list[pl.Expr]) -> pl.Expr:
    """Kleene ``or`` of any number of Boolean expressions (False for none)."""
    if not parts:
        return pl.lit(False)
    return parts[0] if len(parts) == 1 else pl.any_horizontal(parts)


@RULES.register(m.Not)
def _not(node: m.Not, facts: dict[str, m.FactDecl]) -> pl.Expr:
    return ~translate(node.item, facts)


@RULES.register(m.Known)
def _known(node: m.Known, facts: dict[str, m.FactDecl]) -> pl.Expr:
    column = pl.col(node.fact)
    return column.is_not_null() if node.known else column.is_null()


@RULES.register(m.Flag)
def _flag(node: m.Flag, facts: dict[str, m.FactDecl]) -> pl.Expr:
    return pl.col(node.fact).cast(pl.Boolean)


def _service(node: m.Member | m.Compare) -> pl.Expr:
    """`service in {"GLOB", ...}` over the record field ``service`` (never unknown)."""
    values = node.values if isinstance(node, m.Member) else (node.value,)
    inside = any_of(
        [pl.col(SERVICE).str.contains(glob_pattern(str(constant_value(v)))) for v in values]
    )
    negated = node.negated if isinstance(node, m.Member) else node.op == "!="
    return ~inside if negated else inside


@RULES.register(m.Compare)
def _compare(node: m.Compare, facts: dict[str, m.FactDecl]) -> pl.Expr:
    if node.fact == SERVICE:
        return _service(node)
    constant = constant_value(node.value)
    if isinstance(constant, Fraction):
        constant = float(constant)
    # Comparisons with null give null in polars: unknown stays unknown.
    expr: pl.Expr = OPS[node.op](pl.col(node.fact), pl.lit(constant))
    return expr


@RULES.register(m.Member)
def _member(node: m.Member, facts: dict[str, m.FactDecl]) -> pl.Expr:
    if node.fact == SERVICE:
        return _service(node)
    values = sorted({str(constant_value(v)) for v in node.values})
    column = pl.col(node.fact)
    decl = facts.get(node.fact)
    if decl is not None and decl.is_set:
        # A set is "in" the codes when every element is (the record engine: subset).
        inside = column.list.eval(pl.element().is_in(values)).list.all()
        inside = pl.when(column.is_null()).then(UNKNOWN).otherwise(inside)
    else:
        inside = column.is_in(values)
    return ~inside if node.negated else inside


@RULES.register(m.Includes)
def _includes(node: m.Includes, facts: dict[str, m.FactDecl]) -> pl.Expr:
    values = sorted({str(constant_value(v)) for v in node.values})
    column = pl.col(node.fact)
    hit = column.list.eval(pl.element().is_in(values)).list.any()
    return pl.when(column.is_null()).then(UNKNOWN).otherwise(hit)


@RULES.register(m.During)
def _during(node: m.During, facts: dict[str, m.FactDecl]) -> pl.Expr:
    # `during` needs instants and calendars: obligations evaluate it, records cannot.
    return UNKNOWN


@RULES.register(m.DefinedBy)
def _defined_by(node: m.DefinedBy, facts: dict[str, m.FactDecl]) -> pl.Expr:
    raise NoRule(DEFINED_BY)


@RULES.register(m.ExcludedBy)
def _excluded_by(node: m.ExcludedBy, facts: dict[str, m.FactDecl]) -> pl.Expr:
    raise NoRule(
        "`excluded by` reads a record's verdict, which the plan decides with its conditions: "
        "only obligations (judged after every verdict) use it, and `rulebook check` refuses "
        "it anywhere else"
    )


RULES.complete()


def exact(cond: m.Condition | None) -> bool:
    """Whether every numeric constant of ``cond`` is held exactly by a double."""
    if cond is None:
        return True
    if isinstance(cond, (m.All, m.Any)):
        return all(exact(c) for c in cond.items)
    if isinstance(cond, m.Not):
        return exact(cond.item)
    if isinstance(cond, m.Compare):
        constant = constant_value(cond.value)
        return not isinstance(constant, Fraction) or Fraction(float(constant)) == constant
    return True
