"""Units, dimensions and Japanese boundary words: every quantity means what its text says."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.check.scope import Scope, error
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import BOUNDARY_WORDS
from rulebook.text import did_you_mean


def check_dimension(q: m.Quantity, accepted: tuple[str, ...], subject: str) -> Iterator[Diagnostic]:
    unit = units.canonical(q.written)
    if unit is None:
        return  # reported once by check_units
    if unit.dimension not in accepted:
        yield error(
            "unit-mismatch",
            f"'{subject}' is measured in {DIMENSION_WORDS[accepted[0]]}, "
            f"but {units.show(q)} is {DIMENSION_WORDS[unit.dimension]}",
            q.span,
            DIMENSION_HINTS[accepted[0]],
        )


DIMENSION_WORDS = {
    "time": "time",
    "calendar": "calendar months or years",
    "business_time": "business time",
    "percent": "a percentage",
    "money": "money",
    "number": "a plain number",
}


DIMENSION_HINTS = {
    "time": "use s, min, h, day or week (months and years have no fixed length)",
    "calendar": "use month or year",
    "business_time": "use business hours or business days",
    "percent": "write a percentage such as 99.9%",
    "money": "write an amount such as 1000 JPY, or monthly_fee",
    "number": "write a number without a unit",
}


FACT_DIMENSION = {"duration": ("time",), "number": ("number",)}


def check_deadline_word(
    word: m.BoundaryWord, allowed: frozenset[str], where: str
) -> Iterator[Diagnostic]:
    """A deadline or lead takes only the words that mean "by this instant, inclusive"."""
    if word.word not in allowed:
        yield error(
            "unknown-boundary-word",
            f"'{word.word}' is not a word for {where}",
            word.span,
            "use " + ", ".join(sorted(allowed)),
        )


def check_word(op: str | None, word: m.BoundaryWord | None) -> Iterator[Diagnostic]:
    if word is None:
        return
    meaning = BOUNDARY_WORDS.get(word.word)
    if meaning is None:
        yield error(
            "unknown-boundary-word",
            f"'{word.word}' is not a boundary word rulebook knows",
            word.span,
            did_you_mean(word.word, BOUNDARY_WORDS)
            or "use 以上 (>=), 以下 (<=), 以内 (<=), 未満 (<) or 超 (>)",
        )
    elif op is not None and op != meaning:
        yield error(
            "boundary-word-mismatch",
            f"'{word.word}' means {meaning}, but the comparison is written {op}",
            word.span,
            f"write `{meaning}` to match the text, or quote the word the text uses",
        )


def _quantities(node: object) -> Iterator[m.Quantity]:
    """Every quantity anywhere inside a clause."""
    if isinstance(node, m.Quantity):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _quantities(item)
    else:
        for name in _node_fields(type(node)):  # type: ignore[arg-type]
            yield from _quantities(getattr(node, name))


@functools.cache
def _node_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of a model class that may hold quantities (not spans, not text)."""
    if not attrs.has(cls) or cls is m.Span:
        return ()
    return tuple(f.name for f in attrs.fields(cls) if f.name not in ("span", "id", "title"))


def check_units(contract: m.Contract, scope: Scope) -> Iterator[Diagnostic]:
    """Every unit is one the language knows."""
    for clause in contract.clauses:
        for q in _quantities(clause):
            if q.written and units.canonical(q.written) is None:
                yield error(
                    "unknown-unit",
                    f"unknown unit '{q.written}'",
                    q.span,
                    did_you_mean(q.written, units.SPELLINGS)
                    or "units: s, min, h, day, week, month, year, business hours, "
                    "business days, %, JPY",
                )
