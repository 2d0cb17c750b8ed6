"""Semantic tokens: every word of a contract classified by what it names, for highlighting.

The words are the parser's own tokens (read past syntax errors), so a keyword is a keyword
only where the grammar reads one, and a name is told by what it names: a clause id, a fact,
a code of the fact it is compared with, an event, a unit after a number. The TextMate
grammar of the editor package colours the rest (comments, and all of it before the server
answers).
"""

from __future__ import annotations

from lark import Token

from rulebook import units
from rulebook.grammar.parser import parser, tokens_of
from rulebook.grammar.recovery import keyword_terminals
from rulebook.lsp.analysis import Analysis
from rulebook.lsp.features import Convert

#: The legend: token types and modifiers, in the order their indices refer to.
TYPES = (
    "keyword", "function", "property", "enumMember", "event", "type", "string", "number",
    "operator", "variable",
)  # fmt: skip
MODIFIERS = ("declaration",)

_NUMBERS = frozenset(("NUMBER", "TIME", "MONTHDAY", "ORDINAL"))
_OPERATORS = frozenset(("OP", "ADDOP", "MULOP", "JWORD", "PERCENT"))


def semantic_tokens(analysis: Analysis, at: Convert) -> list[int]:
    """The document's tokens in the protocol's relative encoding (5 integers each)."""
    keywords = set(keyword_terminals(parser()).values())
    clauses = analysis.clauses()
    declared = {(c.span.line, c.span.column) for c in clauses.values()}
    data: list[int] = []
    last_line = last_start = 0
    previous: Token | None = None
    for token in tokens_of(analysis.text):
        kind, modifier = _classify(token, previous, analysis, keywords, declared)
        previous = token
        if kind is None or token.line is None or token.column is None:
            continue
        line, column = token.line - 1, token.column - 1
        start = at(line, column).character
        length = at(line, column + len(str(token))).character - start
        delta_start = start - last_start if line == last_line else start
        data += [line - last_line, delta_start, length, TYPES.index(kind), modifier]
        last_line, last_start = line, start
    return data


def _classify(
    token: Token,
    previous: Token | None,
    analysis: Analysis,
    keywords: set[str],
    declared: set[tuple[int, int]],
) -> tuple[str | None, int]:
    if token.type in keywords:
        return "keyword", 0
    if token.type == "STRING":
        return "string", 0
    if token.type in _NUMBERS:
        return "number", 0
    if token.type in _OPERATORS:
        return "operator", 0
    if token.type != "NAME":
        return None, 0
    name = str(token)
    after = str(previous) if previous is not None else ""
    vocabulary = analysis.vocabulary
    if (token.line or 0, token.column or 0) in declared:
        return "function", 1
    if previous is not None and previous.type == "NUMBER" and units.canonical(name):
        return "type", 0
    if (
        after in ("=", "!=", "{", ",")
        and vocabulary
        and any(f.code(name) for f in vocabulary.facts)
    ):
        return "enumMember", 0
    if name in analysis.clauses() and after in ("by", "overrides", "minus", "to", ",", "of", "on"):
        return "function", 0
    if vocabulary is not None and vocabulary.fact(name) is not None:
        return "property", 0
    if vocabulary is not None and vocabulary.event(name) is not None:
        return "event", 0
    if vocabulary is not None and any(f.code(name) for f in vocabulary.facts):
        return "enumMember", 0
    return "variable", 0
