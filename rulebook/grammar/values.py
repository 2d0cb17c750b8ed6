"""The builder's ground floor: positions, strings and errors, and the rules for conditions,
values, quantities and arithmetic, with the limit on how deep a condition may nest.

:class:`ValueBuilder` is the base of :class:`rulebook.grammar.build.ToModel`; like it, it
has one method per grammar rule, named after it.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any, TypeVar

import attrs
from lark import Token, Transformer

from rulebook import limits, units
from rulebook import model as m
from rulebook.diagnostics import Diagnostic

_Result = TypeVar("_Result")


class ValueBuilder(Transformer[Token, _Result]):
    """The per-file state and the rules below the clauses: each returns a model node."""

    def __init__(self) -> None:
        super().__init__()
        self.start_file("", "")

    def start_file(self, file: str, text: str) -> None:
        """Reset the per-file state before a parse."""
        self.file = file
        self.source = text
        self.diagnostics: list[Diagnostic] = []

    # -- positions and helpers

    def span(self, token: Token) -> m.Span:
        return m.Span(
            self.file,
            token.line or 0,
            token.column or 0,
            token.end_line or token.line or 0,
            token.end_column or token.column or 0,
        )

    def span_of(self, children: list[Any]) -> m.Span:
        """From the first located child to the last (keywords are not children)."""
        first = _first_span(self, children, 0)
        last = _first_span(self, children, -1)
        if first is None or last is None:
            return m.Span(self.file, 0, 0, 0, 0)
        return m.Span(self.file, first.line, first.column, last.end_line, last.end_column)

    def error(self, code: str, message: str, span: m.Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("error", code, message, span, hint))

    def string(self, token: Token) -> str:
        """The text of a string token; escapes as in JSON (\\" \\\\ \\n \\u3000)."""
        try:
            return str(json.loads(str(token)))
        except ValueError:
            self.error(
                "bad-string",
                "this string has an escape or character JSON strings do not allow",
                self.span(token),
                'escape only \\" \\\\ \\n \\t \\uXXXX; write tabs as \\t',
            )
            return str(token)[1:-1]

    # -- a clause's condition, no deeper than the checks walk

    def when(self, children: list[m.Condition]) -> tuple[str, Any]:
        return "condition", self._bounded(children[0])

    def unless(self, children: list[m.Condition]) -> tuple[str, Any]:
        return "unless", self._bounded(children[0])

    def records_where(self, children: list[m.Condition]) -> tuple[str, Any]:
        return "records", self._bounded(children[0])

    def _bounded(self, condition: m.Condition) -> m.Condition:
        """A condition nested deeper than the checks walk, or of more terms than
        :data:`~rulebook.limits.MAX_CONDITION_TERMS`, is an error (docs/limits.md); in its
        place stands its first term, so that no later stage walks it."""
        depth, terms, first = condition_size(condition)
        if depth > limits.MAX_CONDITION_DEPTH:
            message = f"the condition nests deeper than {limits.MAX_CONDITION_DEPTH} levels"
            self.error("too-deep", message, condition.span, "split it into clauses or facts")
        elif terms > limits.MAX_CONDITION_TERMS:
            message = (
                f"the condition has {terms:,} terms; accepted: at most "
                f"{limits.MAX_CONDITION_TERMS:,}"
            )
            self.error("too-large", message, condition.span, "split it into clauses or facts")
        else:
            return condition
        return first

    # -- conditions

    def or_(self, children: list[m.Condition]) -> m.Condition:
        return m.Any(_flat(children, m.Any), self.span_of(children))

    def and_(self, children: list[m.Condition]) -> m.Condition:
        return m.All(_flat(children, m.All), self.span_of(children))

    def not_(self, children: list[m.Condition]) -> m.Condition:
        return m.Not(children[0], self.span_of(children))

    def compare(self, children: list[Any]) -> m.Condition:
        fact, op, value, *word = children
        return m.Compare(
            str(fact), str(op), value, word[0] if word else None, self.span_of(children)
        )

    def member(self, children: list[Any]) -> m.Condition:
        return m.Member(str(children[0]), children[1], False, self.span_of(children))

    def not_member(self, children: list[Any]) -> m.Condition:
        return m.Member(str(children[0]), children[1], True, self.span_of(children))

    def includes(self, children: list[Any]) -> m.Condition:
        return m.Includes(str(children[0]), children[1], self.span_of(children))

    def known(self, children: list[Token]) -> m.Condition:
        return m.Known(str(children[0]), True, self.span_of(children))

    def unknown(self, children: list[Token]) -> m.Condition:
        return m.Known(str(children[0]), False, self.span_of(children))

    def during(self, children: list[Token]) -> m.Condition:
        return m.During(str(children[0]), str(children[1]), self.span_of(children))

    def defined_by(self, children: list[Token]) -> m.Condition:
        return m.DefinedBy(m.Ref(str(children[0]), self.span(children[0])), self.span_of(children))

    def excluded_by(self, children: list[Token]) -> m.Condition:
        refs = tuple(m.Ref(str(c), self.span(c)) for c in children)
        return m.ExcludedBy(refs, self.span_of(children))

    def flag(self, children: list[Token]) -> m.Condition:
        return m.Flag(str(children[0]), self.span_of(children))

    def value_set(self, children: list[m.Value]) -> tuple[m.Value, ...]:
        return tuple(c for c in children if c is not None)

    def code(self, children: list[Token]) -> m.Value:
        return m.Code(str(children[0]), self.span(children[0]))

    def text(self, children: list[Token]) -> m.Value:
        return m.Text(self.string(children[0]), self.span(children[0]))

    def true(self, children: list[Any]) -> m.Value:
        return m.Bool(True, self.span_of(children))

    def false(self, children: list[Any]) -> m.Value:
        return m.Bool(False, self.span_of(children))

    def comparison(self, children: list[Any]) -> m.Comparison:
        op = next((str(c) for c in children if isinstance(c, Token)), None)
        quantity = next(c for c in children if isinstance(c, m.Quantity))
        word = next((c for c in children if isinstance(c, m.BoundaryWord)), None)
        return m.Comparison(op, quantity, word, self.span_of(children))

    def jword(self, children: list[Token]) -> m.BoundaryWord:
        return m.BoundaryWord(str(children[0]), self.span(children[0]))

    def quantity(self, children: list[Any]) -> m.Quantity:
        number, *unit = children
        span = self.span(number)
        written = ""
        if unit:
            written, token = unit[0]
            if token is None:  # "%" right after the number
                span = attrs.evolve(span, end_column=span.end_column + 1)
            else:
                end = self.span(token)
                span = attrs.evolve(span, end_line=end.end_line, end_column=end.end_column)
        known = units.canonical(written)
        canonical = known.name if known else written
        if len(str(number)) > limits.MAX_NUMBER_CHARS:  # no 5,000-digit Fraction
            limit = f"at most {limits.MAX_NUMBER_CHARS} characters"
            self.error("number-too-long", f"a number of {len(str(number))} characters", span, limit)
            number = "0"
        return m.Quantity(Fraction(str(number)), canonical, written, span)

    def percent(self, children: list[Any]) -> tuple[str, Token | None]:
        return ("%", None)

    def unit(self, children: list[Token]) -> tuple[str, Token | None]:
        return (str(children[0]), children[0])

    def business_unit(self, children: list[Token]) -> tuple[str, Token | None]:
        return (f"business {children[0]}", children[0])

    # -- arithmetic

    def binary(self, children: list[Any]) -> m.Expr:
        left, op, right = children
        return m.Binary(str(op), left, right, self.span_of(children))

    def variable(self, children: list[Token]) -> m.Expr:
        return m.Variable(str(children[0]), self.span(children[0]))


def _flat(children: list[m.Condition], kind: type[m.All | m.Any]) -> tuple[m.Condition, ...]:
    """The terms of a chain, a parenthesised chain of the same kind spliced in (``(a and b)
    and c`` is ``a and b and c``); the grammar hands the whole chain at once, so this is
    linear in its length."""
    items: list[m.Condition] = []
    for child in children:
        if isinstance(child, kind):
            items.extend(child.items)
        else:
            items.append(child)
    return tuple(items)


def _first_span(builder: ValueBuilder[Any], items: Any, end: int) -> m.Span | None:
    """The span of the first (``end=0``) or last (``end=-1``) located thing in ``items``."""
    if isinstance(items, Token):
        return builder.span(items)
    span = getattr(items, "span", None)
    if isinstance(span, m.Span) and span.line:
        return span
    if isinstance(items, (list, tuple)) and items:
        ordered = items if end == 0 else reversed(items)
        for item in ordered:
            found = _first_span(builder, item, end)
            if found is not None:
                return found
    return None


def condition_size(condition: m.Condition) -> tuple[int, int, m.Condition]:
    """How deep a condition nests, how many terms (tests of facts) it has, and its first
    term — walked without recursion, in time linear in its size.

    >>> a = m.Flag("a", m.Span("", 0, 0, 0, 0))
    >>> condition_size(m.Any((a, m.Not(a, a.span), a), a.span))[:2]
    (3, 3)
    """
    stack: list[tuple[m.Condition, int]] = [(condition, 1)]
    deepest = terms = 0
    first: m.Condition | None = None
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, m.Any | m.All):
            stack.extend((item, depth + 1) for item in reversed(node.items))
        elif isinstance(node, m.Not):
            stack.append((node.item, depth + 1))
        else:
            terms += 1
            first = node if first is None else first
    return deepest, terms, condition if first is None else first
