"""The shared vocabulary: facts and codes declared once, with types and both labels."""

from __future__ import annotations

from collections.abc import Iterator

from rulebook import model as m
from rulebook.check.scope import error, unknown, warning
from rulebook.diagnostics import Diagnostic
from rulebook.meanings import FACT_TYPES


def check_vocabulary(vocabulary: m.Vocabulary) -> Iterator[Diagnostic]:
    """Facts and codes are declared once, with known types and both labels."""
    seen: dict[str, m.Span] = {}
    for fact in vocabulary.facts:
        if fact.name in seen:
            yield error("duplicate-fact", f"fact '{fact.name}' is declared twice", fact.span)
        seen[fact.name] = fact.span
        if fact.type not in FACT_TYPES:
            yield unknown(
                "fact type", fact.type, fact.type_span or fact.span, FACT_TYPES, "bad-fact-type"
            )
        if fact.type == "code" and not fact.codes:
            yield error("no-codes", f"code fact '{fact.name}' lists no codes", fact.span)
        if fact.codes and fact.type != "code":
            yield error(
                "bad-fact-type", f"'{fact.name}' is a {fact.type}, which takes no codes", fact.span
            )
        codes: set[str] = set()
        for code in fact.codes:
            if code.name in codes:
                yield error(
                    "duplicate-code",
                    f"code '{code.name}' of '{fact.name}' is declared twice",
                    code.span,
                )
            codes.add(code.name)
            if not code.ja.strip() or not code.en.strip():
                yield warning(
                    "missing-label",
                    f"code '{code.name}' needs a Japanese and an English label",
                    code.span,
                )
    for event in vocabulary.events:
        if event.name in seen:
            yield error("duplicate-fact", f"'{event.name}' is declared twice", event.span)
        seen[event.name] = event.span
