"""Parse tree to model: a contract's amendments (its later versions, :mod:`rulebook.versions`)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from lark import Token

from rulebook import model as m
from rulebook.grammar.values import ValueBuilder

_Result = TypeVar("_Result")


class AmendmentBuilder(ValueBuilder[_Result], Generic[_Result]):
    """The grammar rules of ``amendment`` blocks: one method a rule, named after it."""

    def amendment(self, children: list[Any]) -> m.Amendment:
        name, *rest = children
        title = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            title = self.string(rest.pop(0))
        clauses: tuple[m.AnyClause, ...] = tuple(r for r in rest if isinstance(r, m.Clause))  # type: ignore[misc]
        effective: m.Text | None = None
        citation: m.Citation | None = None
        removes: tuple[m.Ref, ...] = ()
        for item in rest:
            if isinstance(item, m.Clause):
                continue
            key, value = item
            if key == "removes":
                removes += value
                continue
            if key in ("effective", "citation") and (effective, citation)[key == "citation"]:
                self.error(
                    "duplicate-item",
                    f"'{'cite' if key == 'citation' else key}' is given twice in amendment {name}",
                    value.span,
                    "keep one",
                )
            if key == "effective":
                effective = value
            else:
                citation = value
        return m.Amendment(str(name), title, effective, citation, removes, clauses, self.span(name))

    def effective(self, children: list[Token]) -> tuple[str, Any]:
        return "effective", m.Text(self.string(children[0]), self.span(children[0]))

    def remove(self, children: list[Any]) -> tuple[str, Any]:
        return "removes", children[0]
